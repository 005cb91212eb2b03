"""The audit log on a SQLAlchemy database, shared by every replica.

Behaves as the SQLite log: an entry that cannot be written now (the database restarting)
waits in the pending file beside the index and goes in with the next write, so none is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import astuple, fields
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bot.knowledge.audit import AuditEntry, AuditLog, AuditUnavailableError
from bot.storage.schema import audit

T = TypeVar("T")
_COLUMNS = [audit.c[f.name] for f in fields(AuditEntry)]


class SqlAuditLog(AuditLog):
    db_errors = (SQLAlchemyError,)

    def __init__(self, engine: Engine, pending_path: Path) -> None:
        self.engine = engine
        self.path = Path(engine.url.render_as_string(hide_password=True))
        self.pending_path = pending_path
        self._lock = threading.Lock()
        self._ready = True

    def _exists(self) -> bool:
        return True

    def _write(self, entries: list[AuditEntry]) -> None:
        keys = [f.name for f in fields(AuditEntry)]
        with self.engine.begin() as conn:
            conn.execute(insert(audit), [dict(zip(keys, astuple(e))) for e in entries])

    def _read(self, query: Callable[..., T], *args: object) -> T:
        self.flush_pending()
        try:
            with self._lock, self.engine.connect() as conn:
                return query(conn, *args)
        except SQLAlchemyError as err:
            reason = str(err.__cause__ or err).splitlines()[0]
            raise AuditUnavailableError(f"the audit log cannot be read just now ({reason}); try again later.") from None

    @staticmethod
    def _entries(conn: Connection, limit: int) -> list[AuditEntry]:  # type: ignore[override]
        rows = conn.execute(select(*_COLUMNS).order_by(audit.c.id.desc()).limit(limit)).all()
        return [AuditEntry(*row) for row in rows]

    @staticmethod
    def _last_added(conn: Connection) -> dict[str, AuditEntry]:  # type: ignore[override]
        query = select(*_COLUMNS).where(audit.c.action == "add", audit.c.outcome == "ok").order_by(audit.c.id)
        return {row[5]: AuditEntry(*row) for row in conn.execute(query).all()}

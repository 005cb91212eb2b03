"""The audit log: every admin action and refused attempt, in SQLite.

Another process may hold the database (a backup, an operator's `sqlite3` shell). A write
waits a bounded time for it; if it is still locked the row goes to a pending file beside
the database, flushed by the next write that gets through, so no entry is lost and no
command ends in a traceback.
"""

from __future__ import annotations

import fcntl
import json
import logging
import sqlite3
import threading
import time
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import IO, Callable, TypeVar

from bot.errors import CallbotError
from bot.types import Actor

log = logging.getLogger(__name__)
T = TypeVar("T")
WAIT_SECONDS = 5.0  # how long a write or read waits for another process's lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target);
"""


@dataclass(frozen=True)
class AuditEntry:
    at: str
    platform: str
    user_id: str
    user_name: str
    action: str
    target: str
    outcome: str
    detail: str


class AuditUnavailableError(CallbotError):
    """The audit database could not be read (locked by another process, or damaged)."""


class AuditLog:
    """Append-only; one short-lived connection per call so threads and processes share it."""

    db_errors: tuple[type[Exception], ...] = (sqlite3.Error,)  # what queues an entry instead of failing

    def __init__(self, path: Path, wait_seconds: float = WAIT_SECONDS) -> None:
        self.path = Path(path)
        self.pending_path = self.path.with_name(self.path.name + ".pending.jsonl")
        self._wait = wait_seconds
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self._wait)
        if not self._ready:
            try:
                conn.executescript(SCHEMA)
            except BaseException:
                conn.close()
                raise
            self._ready = True
        return conn

    def record(self, actor: Actor, action: str, target: str, outcome: str, detail: str = "") -> bool:
        """outcome: 'ok', 'refused' (validation, gate, not authorised) or 'failed' (error).

        False when the database stayed locked and the entry was queued in the pending file
        (written by the next record that gets through); never raises for a database error."""
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        entry = AuditEntry(at, actor.platform, actor.user_id, actor.display_name, action, target, outcome, detail)
        problem: Exception | None = None
        with self._lock:
            if not self.pending_path.exists():
                try:
                    self._write([entry])
                    return True
                except self.db_errors as err:
                    problem = err
            with _PendingFile(self.pending_path) as pending:
                if problem is None:  # earlier entries wait: write them first, in one transaction
                    try:
                        self._write([*_read_pending(pending), entry])
                        pending.truncate(0)
                        return True
                    except self.db_errors as err:
                        problem = err
                pending.write(json.dumps(astuple(entry), ensure_ascii=False) + "\n")
        log.warning("the audit log %s could not be written (%s); the %s entry waits in %s",
                    self.path, problem, action, self.pending_path.name)
        return False

    def _write(self, entries: list[AuditEntry]) -> None:
        conn = self._connect()
        try:
            with conn:
                conn.executemany(
                    "INSERT INTO audit (at, platform, user_id, user_name, action, target, outcome, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [astuple(e) for e in entries],
                )
        finally:
            conn.close()

    def flush_pending(self) -> None:
        """Write queued entries now if the database allows (reads call this first)."""
        if not self.pending_path.exists():
            return
        with self._lock, _PendingFile(self.pending_path) as pending:
            rows = _read_pending(pending)
            try:
                if rows:
                    self._write(rows)
            except self.db_errors:
                return  # still locked: they stay queued
            pending.truncate(0)

    def entries(self, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        if not self._exists():
            return []
        return self._read(self._entries, limit)

    def _read(self, query: Callable[..., T], *args: object) -> T:
        """Run a read with the bounded wait; a locked or damaged database is one clear line."""
        self.flush_pending()
        try:
            with self._lock:
                conn = self._connect()
                try:
                    return query(conn, *args)
                finally:
                    conn.close()
        except self.db_errors as err:
            raise AuditUnavailableError(
                f"the audit log {self.path} cannot be read just now ({err}); try again later."
            ) from None

    @staticmethod
    def _entries(conn: sqlite3.Connection, limit: int) -> list[AuditEntry]:
        rows = conn.execute(
            "SELECT at, platform, user_id, user_name, action, target, outcome, detail"
            " FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def last_added(self) -> dict[str, AuditEntry]:
        """The latest successful add of each file name (for `index list`)."""
        if not self._exists():
            return {}
        return self._read(self._last_added)

    def _exists(self) -> bool:
        """Whether there is a database to read (reading never creates one)."""
        return self.path.exists()

    @staticmethod
    def _last_added(conn: sqlite3.Connection) -> dict[str, AuditEntry]:
        rows = conn.execute(
            "SELECT at, platform, user_id, user_name, action, target, outcome, detail"
            " FROM audit WHERE action = 'add' AND outcome = 'ok' ORDER BY id"
        ).fetchall()
        return {row[5]: AuditEntry(*row) for row in rows}


def _read_pending(pending: IO[str]) -> list[AuditEntry]:
    pending.seek(0)
    rows = []
    for line in pending.read().splitlines():
        try:
            rows.append(AuditEntry(*json.loads(line)))
        except (ValueError, TypeError):
            log.warning("skipped an unreadable line of %s", pending.name)
    return rows


class _PendingFile:
    """The pending file, opened and locked (flock) against other processes for one use."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> IO[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a+", encoding="utf-8")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self._file

    def __exit__(self, *exc: object) -> None:
        try:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._file.close()

"""One SQLAlchemy engine per database URL, migrated on first use.

A shared database (anything but SQLite) is what replicas use; it needs the feedback salt from
the environment so that every replica hashes user ids alike.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError

CONNECT_TIMEOUT_SECONDS = 5
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def is_shared(url: str) -> bool:
    """True for a server database (PostgreSQL...), False for an SQLite file."""
    return not url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def get_engine(url: str) -> Engine:
    """The engine for `url` (made, and the schema migrated, once per process)."""
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError("storage.database_url is not a database URL (e.g. postgresql+psycopg://…).") from None
        if parsed.drivername.startswith("sqlite"):
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(
                parsed,
                pool_pre_ping=True,  # a restarted database server costs one retry, not an error
                pool_size=5,
                max_overflow=5,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            )
        from bot.storage.migrations import migrate

        migrate(engine)
        _engines[url] = engine
        return engine


def dispose_all() -> None:
    """Close every pooled connection (tests; a forked worker)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()

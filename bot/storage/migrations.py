"""A small versioned migration scheme: `callbot_schema_version` holds the steps applied.

Each step is a function run once, in order, inside one transaction; on PostgreSQL an advisory
lock makes replicas that start together apply them once. Add a step at the end, never edit
one that shipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, select, text

from bot.storage import schema

log = logging.getLogger(__name__)
_ADVISORY_KEY = 0x6361_6C6C  # "call"


def _v1_feedback_and_audit(conn: Connection) -> None:
    for table in (schema.meta, schema.answers, schema.votes, schema.audit):
        table.create(conn, checkfirst=True)


def _v2_slack_oauth(conn: Connection) -> None:
    """slack_sdk's own installation and OAuth state tables (their names and columns)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    SQLAlchemyInstallationStore(client_id="-", engine=conn.engine).metadata.create_all(conn)
    SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=conn.engine).metadata.create_all(conn)


def _v3_index_pointer(conn: Connection) -> None:
    schema.index_pointer.create(conn, checkfirst=True)


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1_feedback_and_audit, _v2_slack_oauth, _v3_index_pointer)


def current_version(conn: Connection) -> int:
    schema.schema_version.create(conn, checkfirst=True)
    found = conn.execute(select(schema.schema_version.c.version).order_by(schema.schema_version.c.version.desc()))
    row = found.first()
    return int(row[0]) if row else 0


def migrate(engine: Engine) -> int:
    """Apply the steps this database lacks; returns the schema version it is at."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
        version = current_version(conn)
        for number, step in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            step(conn)
            conn.execute(schema.schema_version.insert().values(version=number, applied_at=time.time()))
            log.info("database schema migrated to version %d (%s)", number, step.__name__)
            version = number
    return version

"""Which store each kind of persistent state uses: the SQLite files of one process, or the
database `storage.database_url` names (shared by replicas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings, secret
from bot.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.knowledge.audit import AuditLog
    from bot.ops.feedback import FeedbackStore


def database_engine(settings: Settings) -> Engine | None:
    """The configured database's engine (migrated), or None for the per-process SQLite files."""
    url = settings.storage.database_url
    if not url:
        return None
    from bot.storage.engine import get_engine

    return get_engine(url)


def feedback_salt(settings: Settings) -> str | None:
    """The salt from `feedback.salt_env`; required with a shared database so replicas hash alike."""
    from bot.storage.engine import is_shared

    salt = secret(settings.feedback.salt_env)
    url = settings.storage.database_url
    if url and is_shared(url) and not salt:
        raise ConfigError(
            f"{settings.feedback.salt_env} is not set: with a shared database (storage.database_url) every "
            "replica must hash user ids with the same secret salt; set it to a long random string."
        )
    return salt


def open_feedback(settings: Settings) -> FeedbackStore:
    """The feedback store the settings name."""
    salt = feedback_salt(settings)
    engine = database_engine(settings)
    if engine is None:
        from bot.ops.feedback import FeedbackStore, feedback_db_path

        return FeedbackStore(feedback_db_path(settings), salt)
    from bot.storage.feedback_sql import SqlFeedbackStore

    return SqlFeedbackStore(engine, salt)


def open_audit(settings: Settings) -> AuditLog:
    """The audit log the settings name (`knowledge_ops.audit_db` or the index folder's file)."""
    engine = database_engine(settings)
    if engine is None:
        from pathlib import Path

        from bot.knowledge.audit import AuditLog

        return AuditLog(Path(settings.knowledge_ops.audit_db or settings.index_path / "audit.sqlite3"))
    from bot.storage.audit_sql import SqlAuditLog

    return SqlAuditLog(engine, settings.index_path / "audit.pending.jsonl")

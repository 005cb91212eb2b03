"""The tables callbot keeps in a shared database (SQLAlchemy Core, no ORM)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

schema_version = Table(
    "callbot_schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Float, nullable=False),
)

meta = Table(
    "callbot_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

answers = Table(
    "feedback_answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", Float, nullable=False),
    Column("day", String(10), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("user_hash", String(64), nullable=False),
    Column("question", Text, nullable=False),
    Column("passage_ids", Text, nullable=False),
    Column("index_version", String(64), nullable=False),
    Column("answered", Integer, nullable=False),
    Index("feedback_answers_day_version", "day", "index_version"),
)

votes = Table(
    "feedback_votes",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("user_hash", String(64), primary_key=True),
    Column("helpful", Integer, nullable=False),
    Column("at", Float, nullable=False),
)

audit = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(20), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Index("audit_log_target", "target"),
)

index_pointer = Table(
    "index_pointer",
    metadata,
    Column("name", Text, primary_key=True),  # the index folder the pointer is for
    Column("version", String(64), nullable=False),
    Column("at", Float, nullable=False),
)

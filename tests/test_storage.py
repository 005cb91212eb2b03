"""The shared storage layer on a real PostgreSQL (and SQLite URLs): migrations, feedback,
audit log, the salt rule and slack_sdk's OAuth stores."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.config import Settings
from bot.errors import ConfigError
from bot.knowledge.audit import AuditUnavailableError
from bot.ops.feedback import UNKNOWN_ANSWER
from bot.storage.engine import get_engine
from bot.storage.migrations import MIGRATIONS, current_version, migrate
from bot.storage.stores import open_audit, open_feedback
from bot.types import Actor, Answer


def _answer(question: str = "What is the Paris Call?", answered: bool = True) -> Answer:
    return Answer(question=question, passages=(), answered=answered, index_version="v1")


def _settings(tmp_path: Path, url: str, **more: object) -> Settings:
    return Settings.model_validate({"index_dir": str(tmp_path / "index"), "storage": {"database_url": url}, **more})


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return request.getfixturevalue("pg_url")


def test_migrations_run_once_and_record_their_version(db_url: str) -> None:
    engine = get_engine(db_url)
    assert migrate(engine) == len(MIGRATIONS)  # a second run applies nothing
    with engine.begin() as conn:
        assert current_version(conn) == len(MIGRATIONS)


def test_replicas_starting_together_migrate_once(pg_url: str) -> None:
    from sqlalchemy import create_engine

    errors: list[BaseException] = []

    def start() -> None:
        try:
            migrate(create_engine(pg_url))
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with create_engine(pg_url).begin() as conn:
        assert current_version(conn) == len(MIGRATIONS)


def test_a_vote_on_one_replica_lands_on_an_answer_another_recorded(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLBOT_FEEDBACK_SALT", "shared-salt")
    a = open_feedback(_settings(tmp_path / "a", db_url))
    b = open_feedback(_settings(tmp_path / "b", db_url))
    assert a.user_hash("slack", "U1") == b.user_hash("slack", "U1")
    answer_id = a.record_answer(_answer(), "slack", "U1")
    b.record_answer(_answer("weather?", answered=False), "slack", "U2")
    assert b.vote(answer_id, "slack", "U9", helpful=True) == "Thanks — noted as helpful."
    assert a.vote(answer_id, "slack", "U9", helpful=True).startswith("Thanks — your vote was already")
    assert a.vote(answer_id, "slack", "U9", helpful=False) == "Thanks — changed your vote to not helpful."
    assert b.vote("nope", "slack", "U9", helpful=True) == UNKNOWN_ANSWER
    rows = a.helpful_rate_by_day_and_version()
    assert [(r.answers, r.declined, r.helpful, r.not_helpful) for r in rows] == [(2, 1, 0, 1)]
    gaps = {(g.question, g.declined, g.not_helpful) for g in b.gap_rows()}
    assert gaps == {("What is the Paris Call?", False, True), ("weather?", True, False)}


def test_a_shared_database_refuses_to_start_without_the_salt(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CALLBOT_FEEDBACK_SALT", raising=False)
    with pytest.raises(ConfigError, match="CALLBOT_FEEDBACK_SALT is not set"):
        open_feedback(_settings(tmp_path, pg_url))


def test_audit_rows_from_two_replicas_are_one_log(db_url: str, tmp_path: Path) -> None:
    a = open_audit(_settings(tmp_path / "a", db_url))
    b = open_audit(_settings(tmp_path / "b", db_url))
    who = Actor("slack", "U1", "Ada")
    assert a.record(who, "add", "cables.md", "ok")
    assert b.record(who, "remove", "old.md", "refused", "not authorised")
    assert [(e.action, e.target, e.outcome) for e in b.entries()] == [
        ("remove", "old.md", "refused"),
        ("add", "cables.md", "ok"),
    ]
    assert set(a.last_added()) == {"cables.md"}


def test_an_audit_entry_waits_while_the_database_is_down_and_is_never_lost(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from bot.storage.audit_sql import SqlAuditLog

    down = SqlAuditLog(create_engine("postgresql+psycopg://x@127.0.0.1:1/none"), tmp_path / "audit.pending.jsonl")
    who = Actor("slack", "U1", "Ada")
    assert down.record(who, "add", "a.md", "ok") is False
    assert (tmp_path / "audit.pending.jsonl").read_text().count("a.md") == 1
    with pytest.raises(AuditUnavailableError, match="cannot be read just now"):
        down.entries()


def test_the_pending_entries_go_in_with_the_next_write(pg_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from bot.storage.audit_sql import SqlAuditLog

    pending = tmp_path / "audit.pending.jsonl"
    SqlAuditLog(create_engine("postgresql+psycopg://x@127.0.0.1:1/none"), pending).record(
        Actor("slack", "U1", "Ada"), "add", "first.md", "ok"
    )
    up = SqlAuditLog(get_engine(pg_url), pending)
    assert up.record(Actor("slack", "U1", "Ada"), "add", "second.md", "ok")
    assert [e.target for e in up.entries()] == ["second.md", "first.md"]


def test_slack_installations_and_states_are_shared(pg_url: str) -> None:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    engine = get_engine(pg_url)  # the migrations made slack_sdk's tables
    on_a = SQLAlchemyInstallationStore("cid", engine)
    on_b = SQLAlchemyInstallationStore("cid", get_engine(pg_url))
    on_a.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-1", bot_id="B1", bot_user_id="UB", user_id="U1"))
    found = on_b.find_bot(enterprise_id=None, team_id="T1")
    assert found is not None and found.bot_token == "xoxb-1"
    state = SQLAlchemyOAuthStateStore(600, engine).issue()
    other = SQLAlchemyOAuthStateStore(600, engine)
    assert other.consume(state) is True
    assert other.consume(state) is False


def test_a_bad_database_url_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="not a database URL"):
        get_engine("not a url")


def test_a_replica_without_the_salt_refuses_to_start_with_one_line(pg_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBOT_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(REPO),
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_SIGNING_SECRET="s",
        CALLBOT_SLACK__MODE="http",
        CALLBOT_INDEX_DIR=str(tmp_path / "index"),
        CALLBOT_STORAGE__DATABASE_URL=pg_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.replica_child", "cli", "run", "slack"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "CALLBOT_FEEDBACK_SALT is not set" in done.stderr
    assert "Traceback" not in done.stderr

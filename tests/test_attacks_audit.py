"""Attacks on the audit log (issue 15, item 7): another process holds `audit.sqlite3` locked.

The lock is real: a child process opens the database and holds `BEGIN EXCLUSIVE` until told
to stop. The CLI runs in process through its real entry point (`main(argv)`).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.knowledge.audit import AuditLog
from bot.types import Actor
from tests.test_knowledge_cli import Cli, fake_cli, restore_logging  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timeout(120)

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS holder (x)")
db.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """`path` held under an exclusive SQLite lock by another process while inside."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)


def test_refused_add_while_the_audit_log_is_locked_is_one_line_and_still_recorded(
    fake_cli: Cli, tmp_path: Path
) -> None:
    run = fake_cli
    assert run("index", "build")[0] == 0
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"PK\x03\x04 a zip file, really")
    with locked(run.index / "audit.sqlite3"):
        code, out, err = run("index", "add", str(bad))
        assert code == 1 and out == ""
        assert "Traceback" not in err and "OperationalError" not in err.replace("(database is locked)", "")
        assert err.endswith(
            "callbot: report.pdf: the file is named .pdf but its content is a zip archive, "
            "not a PDF. Nothing was changed.\n"
        ), err
        assert len(err.splitlines()) <= 2, err  # the refusal, and at most one line about the audit log

        code, out, err = run("index", "log")  # reading while locked: one line, no traceback
        assert code == 1 and "Traceback" not in err and len(err.splitlines()) == 1, err
        assert err.startswith("callbot: ") and "locked" in err
    code, out, err = run("index", "log")
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[2], r[4]) for r in rows] == [("add", "refused"), ("build", "ok")], rows
    assert rows[0][3] == "report.pdf", "the refusal queued during the lock was written afterwards"


def test_entries_queued_while_locked_are_written_in_order_later(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.sqlite3", wait_seconds=0.5)
    who = Actor(platform="cli", user_id="alice", display_name="Alice")
    assert audit.record(who, "build", "k", "ok") is True
    with locked(audit.path):
        assert audit.record(who, "add", "a.md", "refused", "bad file") is False
        assert audit.record(who, "remove", "b.md", "refused", "no such document") is False
    assert audit.record(who, "rollback", "", "ok") is True
    assert [(e.action, e.outcome) for e in audit.entries()] == [
        ("rollback", "ok"),
        ("remove", "refused"),
        ("add", "refused"),
        ("build", "ok"),
    ]
    assert audit.pending_path.read_text() == ""


def test_a_database_error_on_any_command_is_one_line(fake_cli: Cli) -> None:
    run = fake_cli
    assert run("index", "build")[0] == 0
    (run.index / "audit.sqlite3").write_bytes(b"this is not a database" * 100)
    code, out, err = run("index", "log")
    assert code == 1 and "Traceback" not in err and len(err.splitlines()) == 1, err

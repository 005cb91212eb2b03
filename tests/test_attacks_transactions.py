"""Issue 15, item 2: `kill -9` during a knowledge operation, and questions while stale.

Real `python -c` children run the real CLI (`bot.cli.main`) on the fast fake embedder and
are killed with SIGKILL at a chosen point (each point prints a line and sleeps):

* VALIDATING: the upload is being validated (nothing built yet);
* EMBEDDING: the new version is being embedded;
* PROMOTED: CURRENT already names the new version (the history is being written);
* AUDITING: the build is promoted and the "ok" audit row is being written.

Afterwards, knowledge/ holds exactly the documents of the serving version, `index list`
shows no half-added document, and the audit log says what became of the operation. A
question asked while the index is stale is answered at once from the last good version.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.index.journal import COMPLETED, ROLLED_BACK
from bot.index.sources import scan_sources
from bot.index.store import read_manifest
from bot.index.versions import VersionStore
from bot.knowledge.wiring import knowledge_ops
from tests.conftest import REPO
from tests.helpers_knowledge import ACTOR, CABLES, NO_EVAL, GatedEmbedder

MARKER = "Zanzibar"  # only the document being added says it: embedding it means building
NEW_DOC = (
    b"# Zanzibar Undersea Cable Accord\n\nThe Zanzibar accord on undersea cable security was signed in "
    b"Stone Town on 3 March 2021 by five coastal states.\n\nIt commits its parties to report cable "
    b"incidents to a shared Zanzibar registry within one day.\n"
)

CHILD = r"""
import os, sys, time
sys.path.insert(0, {repo!r})
import bot.app as app_module
import bot.core as core_module
import bot.knowledge.operations as operations
import bot.index.versions as versions
from bot.knowledge.audit import AuditLog
from tests.fake_embedder import FakeEmbedder

STALL = os.environ.get("CALLBOT_TEST_STALL", "")

def stall(tag):
    print(tag, flush=True)
    time.sleep(120)

class Embedder(FakeEmbedder):
    def embed_batch(self, texts):
        if STALL == "embed" and any({marker!r} in t for t in texts):
            stall("EMBEDDING")
        return super().embed_batch(texts)

class Core(core_module.BotCore):
    def __init__(self, settings, embedder=None):
        super().__init__(settings, embedder or Embedder())

app_module.BotCore = Core  # the composition root builds the CLI's core
if STALL == "validate":
    def validate_upload(*args, **kwargs):
        stall("VALIDATING")
    operations.validate_upload = validate_upload
elif STALL == "promote":
    def write_history(self, history):
        stall("PROMOTED")
    versions.VersionStore._write_history = write_history
elif STALL == "audit":
    real_record = AuditLog.record
    def record(self, actor, action, target, outcome, detail=""):
        if outcome == "ok":
            stall("AUDITING")
        real_record(self, actor, action, target, outcome, detail)
    AuditLog.record = record

from bot.cli.main import main
main(sys.argv[1:])
"""


class Cli:
    """The real CLI in a child process, on the fake embedder, against one scratch folder."""

    def __init__(self, tmp_path: Path, knowledge: Path, index: Path) -> None:
        self.knowledge, self.index = knowledge, index
        self.config = tmp_path / "config.yaml"
        self.config.write_text(yaml.safe_dump(NO_EVAL), encoding="utf-8")
        self.env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.env.pop("CALLBOT_CONFIG", None)

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-c",
            CHILD.format(repo=str(REPO), marker=MARKER),
            "--config",
            str(self.config),
            "--knowledge",
            str(self.knowledge),
            "--index",
            str(self.index),
            *args,
        ]

    def run(
        self, *args: str, stall: str = "", timeout: float = 60, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        env = {**self.env, "CALLBOT_TEST_STALL": stall}
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout, input=stdin
        )

    def kill_at(self, line: str, stall: str, *args: str) -> None:
        """Start `callbot ARGS`, wait until it prints `line` (it then sleeps), kill -9 it."""
        proc = subprocess.Popen(
            self.argv(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, "CALLBOT_TEST_STALL": stall},
            cwd=REPO,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert time.monotonic() < deadline, f"the child never printed {line}"
                ready, _, _ = select.select([proc.stdout], [], [], 0.1)
                if ready:
                    got = proc.stdout.readline()
                    assert got, f"the child ended before {line}: {proc.stderr.read()}"
                    if got.strip() == line:
                        break
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def log(self) -> list[list[str]]:
        done = self.run("index", "log")
        assert done.returncode == 0, done.stderr
        return [line.split("\t")[2:6] for line in done.stdout.splitlines()]

    def current(self) -> str | None:
        return VersionStore(self.index).current()


@pytest.fixture
def cli(make_core, tmp_path: Path, knowledge_copy: Path) -> Cli:
    core = make_core(**NO_EVAL)  # the first version, built in-process
    return Cli(tmp_path, knowledge_copy, core.settings.index_path)


def assert_knowledge_matches_serving(cli: Cli) -> None:
    """knowledge/ holds exactly the documents the CURRENT version was built from."""
    manifest = read_manifest(VersionStore(cli.index).path(cli.current()))
    assert scan_sources(cli.knowledge) == manifest["files"]


def ask_ok(cli: Cli) -> subprocess.CompletedProcess:
    done = cli.run("ask", "Who launched the Paris Call?", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stdout.strip()
    return done


# ---------------------------------------------------------------- index add, killed


@pytest.mark.parametrize(
    ("stall", "line", "outcome"),
    [
        ("validate", "VALIDATING", ROLLED_BACK),
        ("embed", "EMBEDDING", ROLLED_BACK),
        ("promote", "PROMOTED", COMPLETED),
        ("audit", "AUDITING", COMPLETED),
    ],
)
def test_killed_add_is_rolled_back_or_completed_with_its_audit_row(
    cli: Cli, tmp_path: Path, stall: str, line: str, outcome: str
) -> None:
    doc = tmp_path / "zanzibar.md"
    doc.write_bytes(NEW_DOC)
    before = cli.current()
    cli.kill_at(line, stall, "index", "add", str(doc))
    if outcome == ROLLED_BACK:  # not promoted: the document never reached knowledge/
        assert cli.current() == before
        assert not (cli.knowledge / "zanzibar.md").exists()
        assert_knowledge_matches_serving(cli)

    ask_ok(cli)  # the next start settles the operation
    assert_knowledge_matches_serving(cli)
    listed = cli.run("index", "list").stdout
    rows = cli.log()
    if outcome == ROLLED_BACK:
        assert cli.current() == before
        assert "zanzibar" not in listed.lower()
        assert ["add", "zanzibar.md", "interrupted", ROLLED_BACK] in rows
    else:
        assert cli.current() != before and (cli.knowledge / "zanzibar.md").read_bytes() == NEW_DOC
        zanzibar = [r for r in listed.splitlines() if r.startswith("zanzibar")]
        assert len(zanzibar) == 1 and "with the repository" not in zanzibar[0] and "by cli:" in zanzibar[0]
        assert ["add", "zanzibar.md", "ok", f"{COMPLETED}: version {cli.current()}"] in rows
    assert not (cli.index / "OPERATION.json").exists()
    # settled once: a second start writes no second row
    ask_ok(cli)
    assert cli.log() == rows


# ---------------------------------------------------------------- build, remove, rollback, killed


@pytest.mark.parametrize(
    ("stall", "line", "outcome"),
    [
        ("embed", "EMBEDDING", ROLLED_BACK),
        ("promote", "PROMOTED", COMPLETED),
    ],
)
def test_killed_build_leaves_a_build_row_for_what_it_did(cli: Cli, stall: str, line: str, outcome: str) -> None:
    (cli.knowledge / "zanzibar.md").write_bytes(NEW_DOC)  # an admin edited knowledge/ by hand
    before = cli.current()
    cli.kill_at(line, stall, "index", "build")
    ask_ok(cli)
    rows = [r for r in cli.log() if r[0] == "build"]
    if outcome == COMPLETED:  # every promoted version has its "build ok" row
        assert cli.current() != before
        assert rows == [["build", str(cli.knowledge), "ok", f"{COMPLETED}: version {cli.current()}"]]
        assert_knowledge_matches_serving(cli)
    else:
        assert cli.current() == before
        assert rows == [["build", str(cli.knowledge), "interrupted", ROLLED_BACK]]


def test_killed_remove_after_promotion_is_completed(cli: Cli) -> None:
    before = cli.current()
    cli.kill_at("PROMOTED", "promote", "index", "remove", "004-bab-signs-paris-call")
    ask_ok(cli)
    assert cli.current() != before
    assert not (cli.knowledge / "004-bab-signs-paris-call.md").exists()
    assert_knowledge_matches_serving(cli)
    assert ["remove", "004-bab-signs-paris-call.md", "ok", f"{COMPLETED}: version {cli.current()}"] in cli.log()


def test_killed_rollback_leaves_documents_and_pointer_together(cli: Cli, tmp_path: Path) -> None:
    doc = tmp_path / "zanzibar.md"
    doc.write_bytes(NEW_DOC)
    assert cli.run("index", "add", str(doc)).returncode == 0
    added = cli.current()
    cli.kill_at("PROMOTED", "promote", "index", "rollback")
    ask_ok(cli)
    assert_knowledge_matches_serving(cli)
    rollback_rows = [r for r in cli.log() if r[0] == "rollback"]
    assert len(rollback_rows) == 1 and rollback_rows[0][2:] in (
        ["interrupted", ROLLED_BACK],
        ["ok", f"{COMPLETED}: version {cli.current()}"],
    )
    assert (cli.current() == added) == (rollback_rows[0][2] == "interrupted")


# ---------------------------------------------------------------- questions while stale


def test_ask_answers_from_the_last_good_version_without_rebuilding(cli: Cli) -> None:
    """A stale index (a document dropped into knowledge/ by hand) must not make `ask` build:
    the child's embedder hangs if it is asked to embed the new document."""
    (cli.knowledge / "zanzibar.md").write_bytes(NEW_DOC)
    before = VersionStore(cli.index).list_versions()
    started = time.monotonic()
    try:
        done = cli.run("ask", "Who launched the Paris Call?", stall="embed", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("ask rebuilt the index before answering")
    assert done.returncode == 0, done.stderr
    assert "Macron" in done.stdout or "Paris Call" in done.stdout
    assert "the index is stale" in done.stderr and "zanzibar.md" in done.stderr
    assert VersionStore(cli.index).list_versions() == before  # answered from the last good version
    assert time.monotonic() - started < 60


def test_chat_answers_while_the_rebuild_runs_beside_it(cli: Cli) -> None:
    (cli.knowledge / "zanzibar.md").write_bytes(NEW_DOC)
    before = cli.current()
    try:
        done = cli.run("chat", stall="embed", stdin="Who launched the Paris Call?\n", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("chat waited for the rebuild before answering")
    assert done.returncode == 0, done.stderr
    assert "Paris Call" in done.stdout
    assert "rebuilding in the background" in done.stderr
    assert cli.current() == before


def test_long_running_core_swaps_in_the_audited_rebuild(make_core) -> None:
    """In-process: start serves the stale version at once, the rebuild runs in a thread,
    passes the quality gate and is audited, and the new version is swapped in."""
    core = make_core(**NO_EVAL)
    old = core.index_version
    (core.settings.knowledge_path / "cables.md").write_bytes(CABLES)
    embedder = GatedEmbedder(hold=["callbot-index-rebuild"])
    from bot.core import BotCore

    serving = BotCore(core.settings, embedder=embedder)
    ops = knowledge_ops(serving)
    assert serving.start(background=True) is None
    assert serving.index_version == old and "cables.md" in (serving.stale or "")
    assert embedder.entered.wait(10), "the background rebuild never started"
    from bot.types import Question

    assert serving.ask(Question("Who launched the Paris Call?", ACTOR)).index_version == old
    embedder.release.set()
    serving.rebuild_in_background().join(30)  # the running one
    assert serving.index_version != old and serving.stale is None
    row = ops.log(1)[0]
    assert (row.action, row.outcome, row.user_id) == ("build", "ok", "automatic")

"""Builds under pressure: one at a time, atomic under kill -9, questions answered while a
build runs, and hot reload of versions promoted by another core (another process)."""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app import create_app
from bot.core import BotCore
from bot.errors import BuildInProgressError
from bot.evaluation import load_eval
from bot.index.store import read_version
from bot.index.versions import TMP_PREFIX
from bot.types import Answer, Question
from tests.conftest import EVAL_FILE, REPO
from tests.fake_embedder import FakeEmbedder
from tests.helpers_knowledge import (
    ACTOR,
    CABLES,
    NO_EVAL,
    OTHER,
    SATELLITES,
    GatedEmbedder,
    assert_unchanged,
    manifest_docs,
    run_in_thread,
    snapshot,
    wait_for,
)

CABLE_Q = "When was the Baltic cable security pact signed and where?"
BUSY = r"^another index build is running; please try again when it has finished \(nothing was changed\)\.$"


# ---------------------------------------------------------------- one build at a time


def test_a_second_build_is_refused_while_one_runs(make_app) -> None:
    embedder = GatedEmbedder(hold=["builder"])
    app = make_app(embedder=embedder, **NO_EVAL)
    core = app.core
    knowledge = core.settings.knowledge_path
    (knowledge / "cables.md").write_bytes(CABLES)  # gives the build something to embed
    thread, box = run_in_thread("builder", lambda: app.knowledge.rebuild(ACTOR))
    assert embedder.entered.wait(5), "the build never started embedding"
    before = snapshot(core)
    # the same core, and a second core on the same folders (as another process would be)
    other = create_app(core.settings, embedder=FakeEmbedder())
    attempts = [
        ("build", lambda: app.knowledge.rebuild(OTHER)),
        ("build", lambda: other.knowledge.rebuild(OTHER)),
        ("add", lambda: other.knowledge.add_bytes("sat.md", SATELLITES, OTHER)),
        ("remove", lambda: other.knowledge.remove("001-wef-joins-paris-call", OTHER)),
        ("rollback", lambda: other.knowledge.rollback(OTHER)),
    ]
    for _, attempt in attempts:
        started = time.monotonic()
        with pytest.raises(BuildInProgressError, match=BUSY):
            attempt()
        assert time.monotonic() - started < 1.0  # refused at once, not queued
    assert_unchanged(core, before)
    assert not (knowledge / "sat.md").exists()
    refusals = [(e.action, e.outcome, e.platform) for e in app.knowledge.log(len(attempts))]
    assert refusals == [(a, "refused", "discord") for a, _ in reversed(attempts)]

    embedder.release.set()
    thread.join(10)
    assert "error" not in box, box
    assert core.index_version == box["result"].version != before.serving
    # the lock was released: the next build goes through
    assert other.knowledge.add_bytes("sat.md", SATELLITES, OTHER).added == ("sat.md",)


# ---------------------------------------------------------------- questions during a build


def _questions(n: int) -> list[str]:
    base = [item.question for item in load_eval(EVAL_FILE)] + [CABLE_Q, "Who keeps spare fibre for Baltic cables?"]
    return [f"{base[i % len(base)]} ({i // len(base) + 1})" for i in range(n)]


def _consistent(core: BotCore, answer: Answer, versions: dict[str, set[str]]) -> None:
    """The answer names a version that existed, and cites only documents of that version."""
    assert isinstance(answer, Answer)
    assert answer.index_version in versions, answer.index_version
    cited = {sp.passage.doc_id for sp in answer.passages}
    assert cited <= versions[answer.index_version], (answer.index_version, cited)


async def test_200_questions_while_a_rebuild_runs(make_app) -> None:
    embedder = GatedEmbedder(hold=["builder"])
    app = make_app(embedder=embedder, **NO_EVAL)
    core = app.core
    old = core.index_version
    old_docs = {m["doc_id"] for m in manifest_docs(core).values()}
    (core.settings.knowledge_path / "cables.md").write_bytes(CABLES)
    thread, box = run_in_thread("builder", lambda: app.knowledge.rebuild(ACTOR))
    assert embedder.entered.wait(5)
    questions = _questions(200)

    during = await asyncio.gather(*(core.ask_async(Question(q, ACTOR)) for q in questions[:100]))
    embedder.release.set()  # the build finishes while the second hundred are being answered
    racing = await asyncio.gather(*(core.ask_async(Question(q, ACTOR)) for q in questions[100:]))
    await asyncio.to_thread(thread.join, 10)
    assert "error" not in box, box
    new = box["result"].version
    versions = {old: old_docs, new: old_docs | {"cables"}}
    assert len(during) + len(racing) == 200
    for answer in [*during, *racing]:
        _consistent(core, answer, versions)
    assert {a.index_version for a in during} == {old}  # nothing promoted while the build was held
    assert core.index_version == new
    after = await core.ask_async(Question(CABLE_Q, ACTOR))
    assert after.index_version == new and after.passages[0].passage.doc_id == "cables"


class _SlowBuilder(FakeEmbedder):
    """Passages embed slowly (in the build thread); questions at full speed."""

    def embed_batch(self, texts):
        if threading.current_thread().name == "builder":
            time.sleep(0.05)
        return super().embed_batch(texts)


def test_questions_from_threads_during_repeated_builds(make_app) -> None:
    """No gating: builds and 200 threaded questions simply run at the same time."""
    app = make_app(embedder=_SlowBuilder(), **NO_EVAL)
    core = app.core
    knowledge = core.settings.knowledge_path
    versions = {core.index_version: {m["doc_id"] for m in manifest_docs(core).values()}}

    def builds() -> None:
        for i, data in enumerate([CABLES, SATELLITES]):
            (knowledge / f"doc{i}.md").write_bytes(data)
            report = app.knowledge.rebuild(ACTOR)
            versions[report.version] = {
                m["doc_id"] for m in read_version(core.index.store.path(report.version)).manifest["documents"].values()
            }

    questions = _questions(2000)
    thread, box = run_in_thread("builder", builds)
    futures = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        # at least 200 questions, and keep asking until both builds are done
        while len(futures) < 200 or (thread.is_alive() and len(futures) < len(questions)):
            futures.append(pool.submit(core.ask, Question(questions[len(futures)], ACTOR)))
            if len(futures) % 16 == 0:
                time.sleep(0.01)
        answers = [f.result() for f in futures]
    thread.join(20)
    assert "error" not in box, box
    assert len(versions) == 3
    for answer in answers:
        _consistent(core, answer, versions)
    assert len({a.index_version for a in answers}) >= 2  # the swaps happened mid-stream


# ---------------------------------------------------------------- hot reload


def test_reload_if_changed_picks_up_another_cores_version(make_app) -> None:
    serving_app = make_app(**NO_EVAL)
    serving = serving_app.core
    old = serving.index_version
    admin = create_app(serving.settings, embedder=FakeEmbedder())  # e.g. the CLI, in another process
    assert serving.reload_if_changed() is False
    report = admin.knowledge.add_bytes("cables.md", CABLES, OTHER)
    assert serving.index_version == old  # nothing happens by itself
    assert serving.reload_if_changed() is True
    assert serving.index_version == report.version
    assert serving.ask(Question(CABLE_Q, ACTOR)).passages[0].passage.doc_id == "cables"
    assert serving.reload_if_changed() is False
    admin.knowledge.rollback(OTHER)
    assert serving.reload_if_changed() is True and serving.index_version == old


def test_in_flight_answer_finishes_on_its_version(make_app) -> None:
    embedder = GatedEmbedder(hold=["asker"])
    serving_app = make_app(embedder=embedder, **NO_EVAL)
    serving = serving_app.core
    old = serving.index_version
    thread, box = run_in_thread("asker", lambda: serving.ask(Question(CABLE_Q, ACTOR)))
    assert embedder.entered.wait(5)  # the question is being embedded
    admin = create_app(serving.settings, embedder=FakeEmbedder())
    new = admin.knowledge.add_bytes("cables.md", CABLES, OTHER).version
    assert serving.reload_if_changed() is True and serving.index_version == new
    embedder.release.set()
    thread.join(10)
    answer = box["result"]
    assert answer.index_version == old
    assert "cables" not in {sp.passage.doc_id for sp in answer.passages}
    again = serving.ask(Question(CABLE_Q, ACTOR))
    assert again.index_version == new and again.passages[0].passage.doc_id == "cables"


def test_watcher_reloads_within_seconds(make_app) -> None:
    serving_app = make_app(knowledge_ops={"watch_interval_seconds": 0.1, "quality_eval_file": "/nonexistent"})
    serving = serving_app.core
    serving.start_watcher()
    try:
        admin = create_app(serving.settings, embedder=FakeEmbedder())
        new = admin.knowledge.add_bytes("cables.md", CABLES, OTHER).version
        started = time.monotonic()
        assert wait_for(lambda: serving.index_version == new, timeout=5)
        assert time.monotonic() - started < 3
        removed = admin.knowledge.remove("cables", OTHER).version
        assert wait_for(lambda: serving.index_version == removed, timeout=5)
    finally:
        serving.stop_watcher()


def test_a_damaged_new_version_is_not_served(make_app, caplog) -> None:
    serving_app = make_app(**NO_EVAL)
    serving = serving_app.core
    old = serving.index_version
    admin = create_app(serving.settings, embedder=FakeEmbedder())
    new = admin.knowledge.add_bytes("cables.md", CABLES, OTHER).version
    vectors = serving.index.store.path(new) / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-8])
    assert serving.reload_if_changed() is False
    assert serving.index_version == old
    assert serving.ask(Question(CABLE_Q, ACTOR)).index_version == old
    assert f"could not load index version {new}" in caplog.text


# ---------------------------------------------------------------- kill -9 half way

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, {repo!r})
from bot.app import create_app
from bot.config import Settings
from bot.types import Actor
from tests.fake_embedder import FakeEmbedder
import bot.index.manager as manager
import bot.index.versions as versions

phase = sys.argv[2]
settings = Settings.model_validate(json.loads(sys.argv[1]))

def stall(tag):
    print(tag, flush=True)
    time.sleep(60)

class Stalling(FakeEmbedder):
    def embed_batch(self, texts):
        stall("EMBEDDING")

if phase == "write":
    real_write = manager.write_version
    def write_version(folder, data):
        real_write(folder, data)
        stall("WRITTEN")
    manager.write_version = write_version
elif phase == "promote":
    def set_current(self, version):
        stall("PROMOTING")
    versions.VersionStore.set_current = set_current

app = create_app(settings, embedder=Stalling() if phase == "embed" else FakeEmbedder())
app.knowledge.rebuild(Actor("cli", "killer", "killer"), force=True)
print("DONE", flush=True)
"""


def _wait_for_line(proc: subprocess.Popen, wanted: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"the build process died: {proc.stderr.read()}")
            if line.strip() == wanted:
                return
    raise AssertionError(f"the build process never printed {wanted}")


@pytest.mark.parametrize(
    ("phase", "signal_line"), [("embed", "EMBEDDING"), ("write", "WRITTEN"), ("promote", "PROMOTING")]
)
def test_kill_9_mid_build_leaves_the_old_version_serving(make_app, phase: str, signal_line: str) -> None:
    app = make_app(**NO_EVAL)
    core = app.core
    store = core.index.store
    old = core.index_version
    history = store.history()
    (core.settings.knowledge_path / "cables.md").write_bytes(CABLES)
    settings_json = json.dumps(core.settings.model_dump())
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO)), settings_json, phase],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        _wait_for_line(proc, signal_line)
        with pytest.raises(BuildInProgressError):  # the child really holds the lock
            app.knowledge.rebuild(ACTOR)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    # the old version still serves and loads
    assert store.current() == old
    data = read_version(store.path(old))
    assert data.version == old and len(data.passages) == len(core.serving.data.passages)
    assert BotCore(core.settings, embedder=FakeEmbedder()).index.load_current().version == old
    assert core.reload_if_changed() is False and core.index_version == old
    leftovers = [p for p in store.versions_dir.iterdir() if p.name.startswith(TMP_PREFIX)]
    if phase == "write":  # killed with a complete but unpromoted copy on disk
        assert len(leftovers) == 1 and (leftovers[0] / "manifest.json").is_file()
    if phase in ("embed", "write"):
        assert store.history() == history
        assert store.list_versions() == [old]
    if phase == "promote":  # renamed into place, never pointed at
        assert len(store.list_versions()) == 2

    # a later build succeeds: the lock was released and the leftovers are cleaned
    report = app.knowledge.rebuild(ACTOR)
    assert core.index_version == report.version == store.current() != old
    assert "cables.md" in manifest_docs(core)
    assert not [p for p in store.versions_dir.iterdir() if p.name.startswith(".")]
    read_version(store.path(report.version))

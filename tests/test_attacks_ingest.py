"""Attacks on document ingestion (issue 15, items 1 and 3).

Item 1: text shapes that made ingestion take time growing with the square of the input
(100,000 short lines took about 300 s while holding the build lock). Each is run in a
worker thread with a generous bound, so a regression fails instead of hanging the suite.

Item 3: symbolic links must never be read through: not as the path given to `index add`,
not inside a folder given to it, not inside knowledge/ at build time, and not by a race
that swaps a link in after the check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import DocumentError, KnowledgeError
from bot.ingest import load_document
from bot.knowledge.wiring import knowledge_ops
from tests.conftest import REPO
from tests.helpers_knowledge import ACTOR, assert_unchanged, latest_audit, snapshot

BOUND_SECONDS = 60  # generous: linear ingestion does each of these in a few seconds


def finishes_within(seconds: float, work: Callable[[], object]) -> object:
    """`work()`'s result (or exception), failing the test if it runs longer than `seconds`."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as err:  # handed back to the test
            outcome["error"] = err

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s: ingestion is not linear"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


# ------------------------------------------------------------------ item 1: CPU time


def test_index_add_of_100k_short_lines_is_refused_in_seconds(make_core, tmp_path: Path) -> None:
    core = make_core()
    many = tmp_path / "many.txt"
    many.write_text("".join(f"w{i}\n" for i in range(100_000)), encoding="utf-8")
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match="almost no readable text"):
        finishes_within(BOUND_SECONDS, lambda: knowledge_ops(core).add_paths([many], ACTOR))
    assert_unchanged(core, before)


# Each shape about 1 MB; before the fix each of these took minutes to hours.
HOSTILE_SHAPES = {
    "one-long-word.txt": "a" * 1_000_000,
    "hyphenated-lines.txt": "secu-\n" * 170_000,
    "colon-labels.txt": "Label:\n" * 140_000,
    "follow-words.txt": "follow " * 140_000,
    "mail-help-words.txt": "e-mail addresses " * 60_000,
    "unclosed-links.md": "[a](x " * 170_000,
    "unclosed-images.md": "![a](" * 200_000,
    "unclosed-bold.md": "**a " * 250_000,
    "unclosed-comments.md": "<!--" * 250_000,
    "unclosed-autolinks.md": "<http://" * 125_000,
}


INGEST_IN_CHILD = """
import sys
from pathlib import Path
from bot.errors import DocumentError
from bot.ingest import chunk_document, load_document
try:
    chunk_document(load_document(Path(sys.argv[1])))
except DocumentError:
    pass  # a refusal is fine: only the time is under test
"""


@pytest.mark.parametrize("name", sorted(HOSTILE_SHAPES))
def test_large_hostile_shapes_ingest_in_seconds(tmp_path: Path, name: str) -> None:
    """In a child process: a regular expression holds the GIL, so a runaway match could not
    be timed out from a thread; the child is killed instead."""
    path = tmp_path / name
    path.write_text(HOSTILE_SHAPES[name], encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-c", INGEST_IN_CHILD, str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=BOUND_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still ingesting after {BOUND_SECONDS} s: ingestion is not linear")
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ item 3: symbolic links

SECRET = "The launch code of the harbour crane is swordfish-7421, known only to the operator.\n" * 3


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A readable file outside any upload, standing in for /etc/passwd."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def _assert_secret_not_served(core) -> None:
    for passage in core.serving.data.passages:
        assert "swordfish" not in passage.text


def test_index_add_refuses_a_symlink_given_as_the_path(make_core, tmp_path: Path, secret: Path) -> None:
    core = make_core()
    link = tmp_path / "link.txt"
    link.symlink_to(secret)
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match="symbolic link") as caught:
        knowledge_ops(core).add_paths([link], ACTOR)
    assert "\n" not in str(caught.value) and str(caught.value).endswith("Nothing was changed.")
    assert_unchanged(core, before)
    entry = latest_audit(knowledge_ops(core))
    assert (entry.action, entry.target, entry.outcome) == ("add", str(link), "refused")
    _assert_secret_not_served(core)


def test_index_add_refuses_a_symlink_inside_a_folder(make_core, tmp_path: Path, secret: Path) -> None:
    core = make_core()
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "real.md").write_text("# Real\n\nThe harbour drill in Rotterdam tested crane software.\n")
    (folder / "notes.txt").symlink_to(secret)
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match=r"notes\.txt: this is a symbolic link"):
        knowledge_ops(core).add_paths([folder], ACTOR)
    assert_unchanged(core, before)
    _assert_secret_not_served(core)


def test_the_build_skips_a_symlink_placed_in_knowledge(make_core, secret: Path, caplog) -> None:
    core = make_core()
    (core.settings.knowledge_path / "planted.txt").symlink_to(secret)
    report = knowledge_ops(core).rebuild(ACTOR)
    assert any("planted.txt" in w and "symbolic link" in w for w in report.warnings)
    assert "planted.txt" not in core.serving.data.manifest["documents"]
    assert "planted.txt" not in core.serving.data.manifest["files"]
    assert any("planted.txt" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    _assert_secret_not_served(core)


def test_a_symlinked_sidecar_is_not_read(make_core, tmp_path: Path, secret: Path) -> None:
    from bot.index.sources import read_sidecar, sidecar_for

    core = make_core()
    doc = next(p for p in core.settings.knowledge_path.iterdir() if p.suffix == ".md")
    meta = tmp_path / "meta.yaml"
    meta.write_text("title: Swordfish\n", encoding="utf-8")
    sidecar_for(doc).symlink_to(meta)
    assert read_sidecar(doc) == {}


def test_open_does_not_follow_a_link_swapped_in_after_the_check(tmp_path: Path, secret: Path, monkeypatch) -> None:
    """The race: the path is a regular file when checked, a link when opened. The open
    itself must refuse (O_NOFOLLOW), whatever an earlier check said."""
    from bot.ingest import safe_files

    path = tmp_path / "report.txt"
    path.write_text("A regular report about the Paris Call and its supporters.\n", encoding="utf-8")
    real_open = os.open

    def swap_then_open(target, flags, *args, **kwargs):  # the attacker wins the race
        if Path(target) == path:
            path.unlink()
            path.symlink_to(secret)
        return real_open(target, flags, *args, **kwargs)

    monkeypatch.setattr(safe_files.os, "open", swap_then_open)
    with pytest.raises(DocumentError, match="symbolic link"):
        load_document(path)


def test_size_limit_is_checked_on_the_open_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("The Paris Call. " * 1000, encoding="utf-8")
    with pytest.raises(DocumentError, match="over the 1 kB limit"):
        load_document(path, max_bytes=1000)


def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    error = finishes_within(10, lambda: pytest.raises(DocumentError, load_document, fifo))
    assert "not a regular file" in str(error.value)  # type: ignore[attr-defined]

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
import threading
from pathlib import Path
from typing import Callable

import pytest

from bot.errors import DocumentError, KnowledgeError
from bot.ingest import chunk_document, load_document
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
        finishes_within(BOUND_SECONDS, lambda: core.knowledge.add_paths([many], ACTOR))
    assert_unchanged(core, before)


# Each shape about 1 MB; before the fix each of these took minutes to hours.
HOSTILE_SHAPES = {
    "one-long-word.txt": "a" * 1_000_000,
    "hyphenated-lines.txt": "secu-\n" * 170_000,
    "colon-labels.txt": "Label:\n" * 140_000,
    "follow-words.txt": "follow " * 140_000,
    "mail-help-words.txt": "e-mail addresses " * 60_000,
    "sentences.txt": "Mr. Smith met Dr. Jones. " * 40_000,
    "unclosed-links.md": "[a](x " * 170_000,
    "unclosed-images.md": "![a](" * 200_000,
    "unclosed-bold.md": "**a " * 250_000,
    "unclosed-comments.md": "<!--" * 250_000,
    "unclosed-autolinks.md": "<http://" * 125_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SHAPES))
def test_large_hostile_shapes_ingest_in_seconds(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE_SHAPES[name], encoding="utf-8")

    def ingest() -> object:
        try:
            return chunk_document(load_document(path))
        except DocumentError as err:  # a refusal is fine; only the time is under test
            return err

    finishes_within(BOUND_SECONDS, ingest)

"""What is embedded is decided by ingestion (`bot.ingest.embedded_text`), and the move from
the index builder kept it byte for byte: the digest below was taken from the builder's own
rules before the move, over fixed documents, so a change to passage ids, embedded texts or
answer sentences (which would make every index version incompatible) fails here first."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from bot.config import parse_settings
from bot.index.builder import build_index
from bot.ingest.embedded_text import answer_sentences, embedding_text, is_answer_unit
from bot.ingest.sentences import split_units
from tests.fake_embedder import FakeEmbedder

RAW = Path(__file__).parent / "data" / "raw_pages"
# sha256 over passage ids, embedded texts and answer sentences of RAW read as Markdown.
CONTENT_DIGEST = "9bb2a49608347051a6b669de857d7486369283feaa5bf6f924478a54f6b778cb"


def content_digest(folder: Path) -> tuple[str, int]:
    data = build_index(parse_settings({"knowledge_dir": str(folder)}), FakeEmbedder()).data
    digest = hashlib.sha256()
    for passage in data.passages:
        for part in (passage.passage_id, embedding_text(passage.text), *answer_sentences(passage.text)):
            digest.update(part.encode("utf-8") + b"\x00")
    digest.update("\x01".join(data.sentences).encode("utf-8"))
    assert np.allclose(data.vectors, FakeEmbedder().embed_batch([embedding_text(p.text) for p in data.passages]))
    return digest.hexdigest(), len(data.passages)


def test_passage_ids_and_embedded_text_are_unchanged(tmp_path: Path) -> None:
    for page in sorted(RAW.glob("*.txt")):
        shutil.copy(page, tmp_path / f"{page.stem}.md")
    digest, passages = content_digest(tmp_path)
    assert passages > 10
    assert digest == CONTENT_DIGEST


def test_headings_are_not_embedded_and_never_the_answer() -> None:
    text = (
        "Paris Call turns one\nThe Call now has more than a thousand supporters.\n- protect elections from interference"
    )
    assert (
        embedding_text(text)
        == "The Call now has more than a thousand supporters.\n- protect elections from interference"
    )
    assert answer_sentences(text) == [
        "The Call now has more than a thousand supporters.",
        "protect elections from interference",
    ]
    assert [is_answer_unit(u) for u in split_units("Supporters are committed to:\n- act")] == [False, False]

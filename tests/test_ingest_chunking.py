"""Sentence-window chunking: sizes, overlap, ids, max_chars, headings, tiny windows."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest import chunk_document
from bot.ingest.chunking import passage_sentences
from bot.types import Document

SIX = " ".join(f"Sentence number {w} is about the Paris Call." for w in ["one", "two", "three", "four", "five", "six"])


def _doc(text: str, doc_id: str = "doc") -> Document:
    return Document(
        doc_id=doc_id,
        path=f"{doc_id}.md",
        title=f"Title of {doc_id}",
        publisher="Pub",
        date="2018-11-12",
        kind="press",
        origin=f"{doc_id}.txt",
        text=text,
        content_hash="0" * 64,
    )


def _sentence_count(text: str) -> int:
    return len(passage_sentences(text))


def test_windows_of_two_with_overlap_one() -> None:
    passages = chunk_document(_doc(SIX), sentences=2, overlap=1)
    assert len(passages) == 5
    assert all(_sentence_count(p.text) == 2 for p in passages)
    for a, b in zip(passages, passages[1:]):
        assert passage_sentences(a.text)[1] == passage_sentences(b.text)[0]
    assert [p.position for p in passages] == list(range(5))


def test_windows_without_overlap_cover_each_sentence_once() -> None:
    passages = chunk_document(_doc(SIX), sentences=2, overlap=0)
    assert len(passages) == 3
    assert " ".join(p.text for p in passages) == SIX


def test_windows_of_three_with_overlap_one() -> None:
    passages = chunk_document(_doc(SIX), sentences=3, overlap=1)
    assert [_sentence_count(p.text) for p in passages] == [3, 3, 2]
    assert passages[-1].text.endswith("six is about the Paris Call.")


def test_overlap_is_clamped_below_window_size() -> None:
    passages = chunk_document(_doc(SIX), sentences=1, overlap=1)
    assert len(passages) == 6


def test_never_spans_documents_and_carries_metadata() -> None:
    a = chunk_document(_doc("Alpha text is here. Alpha again is here. Alpha thrice is here.", "a"))
    b = chunk_document(_doc("Beta text is here. Beta again is here.", "b"))
    assert all("Beta" not in p.text and p.doc_id == "a" for p in a)
    assert all("Alpha" not in p.text and p.doc_id == "b" for p in b)
    p = b[0]
    assert (p.title, p.publisher, p.date, p.source) == ("Title of b", "Pub", "2018-11-12", "b.txt")


def test_ids_are_stable_and_well_formed() -> None:
    first = chunk_document(_doc(SIX))
    again = chunk_document(_doc(SIX))
    assert [p.passage_id for p in first] == [p.passage_id for p in again]
    assert all(re.fullmatch(r"doc:\d{4}:[0-9a-f]{8}", p.passage_id) for p in first)
    changed = chunk_document(_doc(SIX.replace("six is", "six was")))
    assert [p.passage_id for p in changed][:-1] == [p.passage_id for p in first][:-1]
    assert changed[-1].passage_id != first[-1].passage_id
    assert len({p.passage_id for p in first}) == len(first)


def test_max_chars_shrinks_windows() -> None:
    text = " ".join(f"This is sentence {i} which talks at some length about cyber norms." for i in range(10))
    passages = chunk_document(_doc(text), sentences=4, overlap=1, max_chars=150)
    assert all(len(p.text) <= 150 for p in passages)
    assert passages[-1].text.endswith("sentence 9 which talks at some length about cyber norms.")


def test_over_long_sentence_split_at_word_boundaries() -> None:
    words = [f"word{i}" for i in range(400)]
    passages = chunk_document(_doc(" ".join(words) + "."), sentences=2, overlap=0, max_chars=200)
    assert len(passages) > 1
    assert all(len(p.text) <= 200 for p in passages)
    pieces = " ".join(p.text for p in passages).rstrip(".").split()
    assert pieces == words  # no word was cut or lost


def test_headings_attach_to_the_following_sentence() -> None:
    text = (
        "A call to tackle new threats together\n\n"
        "Cyberspace is a place of opportunity. It is also a place of threats.\n\n"
        "Paris Digital Week\n\n"
        "Paris Digital Week comprises three major events."
    )
    passages = chunk_document(_doc(text), sentences=2, overlap=1)
    texts = [p.text for p in passages]
    assert "A call to tackle new threats together" not in texts
    assert "Paris Digital Week" not in texts
    assert texts[0].startswith("A call to tackle new threats together\nCyberspace is a place of opportunity.")
    assert any("Paris Digital Week\nParis Digital Week comprises three major events." in t for t in texts)


def test_trailing_heading_joins_the_previous_sentence() -> None:
    passages = chunk_document(_doc("Cyberspace is a place of opportunity.\n\nRelated heading at the end"), sentences=1)
    assert [p.text for p in passages] == ["Cyberspace is a place of opportunity.\nRelated heading at the end"]


def test_bullets_keep_their_markers_on_their_own_lines() -> None:
    text = "Supporters commit to:\n- prevent malicious activity;\n- protect the Internet;"
    passages = chunk_document(_doc(text), sentences=3, overlap=0)
    assert passages[0].text == text


def test_tiny_windows_dropped() -> None:
    assert chunk_document(_doc("Ok.\n\nYes.")) == []
    assert chunk_document(_doc("")) == []
    passages = chunk_document(_doc("Ok. The Paris Call has nine principles."), sentences=1, overlap=0)
    assert [p.text for p in passages] == ["The Paris Call has nine principles."]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300), max_size=12),
    st.integers(1, 5),
    st.integers(0, 4),
    st.integers(100, 800),
)
def test_windows_respect_limits_on_any_text(parts: list[str], size: int, overlap: int, max_chars: int) -> None:
    passages = chunk_document(_doc("\n".join(parts)), sentences=size, overlap=overlap, max_chars=max_chars)
    for i, p in enumerate(passages):
        assert len(p.text) <= max_chars
        assert p.text.strip() and p.position == i
        assert sum(ch.isalpha() for ch in p.text) >= 20

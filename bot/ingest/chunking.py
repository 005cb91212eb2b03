"""Sentence-window chunking: a document becomes overlapping windows of whole sentences.

Small windows (two sentences by default) keep each embedded passage about one thing, and the
overlap keeps a fact that straddles two sentences retrievable. Windows never cross
documents (one call per document), never exceed `max_chars`, and headings ride along with
the sentence they introduce instead of becoming passages of their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.ingest.sentences import Unit, split_sentences, split_units
from bot.types import Document, Passage

MIN_LETTERS = 20  # a window with fewer letters than this says nothing worth retrieving


@dataclass(frozen=True)
class _Piece:
    """A unit ready to be joined into a window: rendered text and whether it starts a line."""

    text: str
    new_line: bool


def _render(unit: Unit) -> str:
    return unit.prefix + unit.text


def _attach_headings(units: list[Unit]) -> list[_Piece]:
    """Glue each run of headings to the next unit (or, at the very end, to the previous one)."""
    pieces: list[_Piece] = []
    pending: list[str] = []
    for unit in units:
        if unit.kind == "heading":
            pending.append(_render(unit))
            continue
        if pending:
            pieces.append(_Piece("\n".join([*pending, _render(unit)]), True))
            pending = []
        else:
            pieces.append(_Piece(_render(unit), unit.new_line))
    if pending:
        if pieces:
            last = pieces.pop()
            pieces.append(_Piece("\n".join([last.text, *pending]), last.new_line))
        else:
            pieces.append(_Piece("\n".join(pending), True))
    return pieces


def _split_long(piece: _Piece, max_chars: int) -> list[_Piece]:
    """An over-long unit cut at word boundaries (mid-word only for a word over max_chars)."""
    out: list[_Piece] = []
    text, new_line = piece.text, piece.new_line
    start, end = 0, len(text)  # the part still to cut is text[start:end], never copied whole
    while end - start > max_chars:
        limit = start + max_chars + 1
        cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
        if cut <= start:
            cut = start + max_chars
        out.append(_Piece(text[start:cut].rstrip(), new_line))
        start, new_line = cut, False
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        out.append(_Piece(text[start:end], new_line))
    return out


def _join(pieces: list[_Piece]) -> str:
    text = pieces[0].text
    for piece in pieces[1:]:
        text += ("\n" if piece.new_line else " ") + piece.text
    return text


def _windows(pieces: list[_Piece], size: int, overlap: int, max_chars: int) -> list[str]:
    """Greedy sliding windows: up to `size` pieces within max_chars, `overlap` shared.

    When max_chars shortens a window, the next one starts after it minus the overlap (at
    least one piece further), and a window adding no new piece is skipped.
    """
    texts: list[str] = []
    start, n, covered = 0, len(pieces), 0
    while start < n:
        end, length = start, 0
        while end < n and end - start < size:
            extra = len(pieces[end].text) + (1 if end > start else 0)
            if end > start and length + extra > max_chars:
                break
            length += extra
            end += 1
        if end > covered:  # a window cut short by max_chars may hold nothing new
            texts.append(_join(pieces[start:end]))
            covered = end
        if end >= n:
            break
        start = max(start + 1, end - overlap)
    return texts


def _passage_id(doc_id: str, position: int, text: str) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{doc_id}:{position:04d}:{digest}"


def chunk_document(doc: Document, sentences: int = 2, overlap: int = 1, max_chars: int = 700) -> list[Passage]:
    """Passages of `doc`: windows of `sentences` sentences, consecutive ones sharing `overlap`.

    `overlap` is clamped to `sentences - 1` so every window moves forward; ids are
    `doc_id:position:sha1(text)[:8]`, stable across rebuilds while the text is unchanged.
    """
    if sentences < 1:
        raise ValueError("sentences must be at least 1")
    if max_chars < 20:
        raise ValueError("max_chars must be at least 20")
    overlap = max(0, min(overlap, sentences - 1))
    pieces: list[_Piece] = []
    for piece in _attach_headings(split_units(doc.text)):
        pieces.extend(_split_long(piece, max_chars))
    passages: list[Passage] = []
    for text in _windows(pieces, sentences, overlap, max_chars):
        if sum(map(str.isalpha, text)) < MIN_LETTERS:
            continue
        position = len(passages)
        passages.append(
            Passage(
                passage_id=_passage_id(doc.doc_id, position, text),
                doc_id=doc.doc_id,
                position=position,
                text=text,
                title=doc.title,
                publisher=doc.publisher,
                date=doc.date,
                source=doc.origin,
            )
        )
    return passages


def passage_sentences(passage_text: str) -> list[str]:
    """The sentences of a passage, for picking the one that best answers a question."""
    return split_sentences(passage_text)

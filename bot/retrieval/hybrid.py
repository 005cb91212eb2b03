"""Rank passages for a question from dense and lexical evidence.

Each candidate passage gets three signals: the cosine of its window to the question, the
best cosine of one of its sentences (short windows dilute a sentence that answers
exactly), and BM25 normalised by the best BM25 of this query. They are fused linearly;
near-duplicates (the principles are repeated almost verbatim across press releases) are
collapsed by the similarity of their best sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from bot.config import RetrievalConfig
from bot.index.store import IndexData
from bot.retrieval.answer_type import has_type, question_type
from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.names import NameGrounding, definition_subject
from bot.retrieval.spelling import Speller
from bot.types import ScoredPassage


@dataclass(frozen=True)
class Ranked:
    """The ranked passages and the evidence the decline decision reads."""

    passages: tuple[ScoredPassage, ...]
    top_dense: float
    top_lexical: float
    top_fused: float
    evidence: float = 0.0
    lexical_coverage: float = 0.0
    unknown_years: tuple[str, ...] = ()
    unknown_names: tuple[str, ...] = ()
    read_as: str = ""  # the question as corrected for spelling, when that changed it
    query_vector: np.ndarray | None = field(default=None, compare=False, repr=False)  # what was searched


class Extra(NamedTuple):
    """Another model's cosines of one question to every passage and every sentence (the
    multilingual model's, for a question not in English), blended into the dense signal."""

    passages: np.ndarray
    sentences: np.ndarray
    weight: float


class _Layout(NamedTuple):
    """The sentences of some candidate passages, grouped by passage."""

    rows: np.ndarray  # sentence rows, passage after passage
    has: np.ndarray  # which candidates have sentences at all
    offsets: np.ndarray  # where each group starts in `rows`
    group: np.ndarray  # the group of each entry of `rows`
    every_sentence: bool  # rows == all sentences in order: no gather needed


class HybridRetriever:
    """Holds one index version's search structures; immutable once built."""

    def __init__(self, data: IndexData, cfg: RetrievalConfig, wording: Iterable[str] = ()) -> None:
        """`wording`: more text whose words count as the documents' own (the principles)."""
        self.data = data
        self.cfg = cfg
        self.lexical = LexicalIndex([f"{p.title}\n{p.text}" for p in data.passages])
        owners = data.sentence_owner
        count = len(data.passages)
        self._sent_start = np.searchsorted(owners, np.arange(count), side="left")
        self._sent_end = np.searchsorted(owners, np.arange(count), side="right")
        self._all_ids = np.arange(count, dtype=np.int64)
        self._all_layout = self._layout(self._all_ids)
        self._row_of = {p.passage_id: row for row, p in enumerate(data.passages)}
        self._typed: dict[str, np.ndarray] = {}  # answer type -> which sentences hold one
        self.ubiquitous = ubiquitous_words(data)
        self.names = NameGrounding(f"{p.title}\n{p.publisher}\n{p.text}" for p in data.passages)
        self.speller = Speller([*(f"{p.title}\n{p.text}" for p in data.passages), *wording], self.lexical.knows)
        self.years = frozenset(y for p in data.passages for y in _YEAR.findall(f"{p.title} {p.text} {p.date}"))

    def focus_text(self, question: str) -> str | None:
        """The question without words every document contains ("Paris", "Call", ...).

        Such words say nothing about whether the documents cover the question: "weather
        in Paris" matches "Paris" everywhere. None when nothing would be removed.
        """
        words = _WORD.findall(question)
        kept = [w for w in words if w.lower() not in self.ubiquitous]
        if len(kept) == len(words):
            return None
        return " ".join(kept) or None

    def sentence_rows(self, passage_id: str) -> range:
        """The rows of a passage's stored sentences (and their vectors); empty if unknown."""
        row = self._row_of.get(passage_id)
        return range(0) if row is None else range(int(self._sent_start[row]), int(self._sent_end[row]))

    def coverage(self, qvec: np.ndarray) -> float:
        """Best cosine of any passage or sentence to a (focused) question vector."""
        if not self.data.passages:
            return 0.0
        best = float((self.data.vectors @ qvec).max())
        if len(self.data.sentences):
            best = max(best, float((self.data.sentence_vectors @ qvec).max()))
        return best

    def _candidates(self, qvec: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """Rows of the dense top-k and the lexical top-k (k = `retrieval.candidates`).

        When k covers the whole corpus every passage is a candidate and no search is needed.
        """
        count = len(self.data.passages)
        k = min(self.cfg.candidates, count)
        if k == count:
            return self._all_ids
        _, dense_ids = self.data.faiss_index.search(qvec[None, :], k)
        dense = dense_ids[0][dense_ids[0] >= 0]
        if lexical.size and lexical.max() > 0:
            top = np.argpartition(-lexical, min(k, count - 1))[:k]
            return np.union1d(dense, top[lexical[top] > 0]).astype(np.int64)
        return np.unique(dense).astype(np.int64)

    def _layout(self, ids: np.ndarray) -> _Layout:
        """Where the sentences of passages `ids` are (for the whole corpus: computed once)."""
        starts, ends = self._sent_start[ids], self._sent_end[ids]
        counts = ends - starts
        has = counts > 0
        counts = counts[has]
        offsets = np.cumsum(counts) - counts
        rows = np.repeat(starts[has] - offsets, counts) + np.arange(int(counts.sum()))
        group = np.repeat(np.arange(len(counts)), counts)
        every = len(rows) == len(self.data.sentences) and bool((rows == np.arange(len(rows))).all())
        return _Layout(rows, has, offsets, group, every)

    def _best_sentences(
        self, ids: np.ndarray, qvec: np.ndarray, passage_sims: np.ndarray, extra: Extra | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each candidate passage: its best sentence's cosine and row (-1: none).

        Vectorised over all candidates' sentences at once: one gather, one matrix-vector
        product, one segmented max (ties go to the first sentence).
        """
        at = self._all_layout if ids is self._all_ids else self._layout(ids)
        best_sims = passage_sims.astype(np.float32)
        best_rows = np.full(len(ids), -1, dtype=np.int64)
        if not len(at.rows):
            return best_sims, best_rows
        sims = (self.data.sentence_vectors if at.every_sentence else self.data.sentence_vectors[at.rows]) @ qvec
        if extra is not None:
            sims = (1.0 - extra.weight) * sims + extra.weight * extra.sentences[at.rows]
        maxima = np.maximum.reduceat(sims, at.offsets)
        at_max = np.flatnonzero(sims == maxima[at.group])
        groups = at.group[at_max]
        first = at_max[np.r_[True, groups[1:] != groups[:-1]]]
        best_sims[at.has] = maxima
        best_rows[at.has] = at.rows[first]
        return best_sims, best_rows

    def _typed_rows(self, kind: str) -> np.ndarray:
        """Which sentences hold an answer of `kind` (computed once per kind and version)."""
        mask = self._typed.get(kind)
        if mask is None:  # a race only computes the same array twice
            mask = np.array([has_type(s, kind) for s in self.data.sentences] + [False], dtype=bool)
            self._typed[kind] = mask
        return mask

    def with_focus(self, ranked: Ranked, focus_vec: np.ndarray) -> Ranked:
        """The focused question's coverage replaces the evidence when it falls below the
        band's floor: without the shared words, the question is as far from every passage
        as an off-topic one ("weather in Paris" without "Paris")."""
        cover = self.coverage(focus_vec)
        return replace(ranked, evidence=cover) if cover < self.cfg.focus_band[0] else ranked

    def rank(
        self, question: str, qvec: np.ndarray, top_k: int, search: str | None = None, extra: Extra | None = None
    ) -> Ranked:
        """`qvec` embeds `search` when given (the question with the wording of the principles it
        names); BM25 reads it too, but names, years and the answer type are the question's own.
        `extra` blends another model's cosines into the dense ones (see `Extra`)."""
        if not self.data.passages:
            return Ranked((), 0.0, 0.0, 0.0)
        tokens = self.lexical.tokens(search or question)
        lexical = self.lexical.scores(tokens)
        ids = self._candidates(qvec, lexical)
        passage_sims = self.data.vectors[ids] @ qvec
        if extra is not None:
            passage_sims = (1.0 - extra.weight) * passage_sims + extra.weight * extra.passages[ids]
        sentence_sims, best_rows = self._best_sentences(ids, qvec, passage_sims, extra)
        mix = self.cfg.sentence_weight
        dense = (1.0 - mix) * passage_sims + mix * np.maximum(sentence_sims, passage_sims)
        lex_max = float(lexical.max()) if lexical.size else 0.0
        lex = lexical[ids] / lex_max if lex_max > 0 else np.zeros(len(ids), dtype=np.float32)
        weight = self.cfg.dense_weight
        # BM25 counts in proportion to how close anything is semantically: shared words with
        # passages that are all far from the question ("weather in Paris") lift nothing.
        fused = weight * dense + (1.0 - weight) * lex * max(0.0, min(1.0, float(dense.max())))
        kind = question_type(question)
        if kind is not None and self.cfg.answer_type_bonus:
            typed = self._typed_rows(kind)[best_rows]  # row -1 reads the trailing False
            fused = fused + np.float32(self.cfg.answer_type_bonus) * typed
        order = np.argsort(-fused, kind="stable")
        chosen: list[ScoredPassage] = []
        chosen_vecs: list[np.ndarray] = []
        for pos in order:
            row, sentence_row = int(ids[pos]), int(best_rows[pos])
            probe = self.data.sentence_vectors[sentence_row] if sentence_row >= 0 else self.data.vectors[row]
            if any(float(v @ probe) >= self.cfg.dedup_threshold for v in chosen_vecs):
                continue
            sentence = self.data.sentences[sentence_row] if sentence_row >= 0 else ""
            chosen.append(ScoredPassage(self.data.passages[row], round(float(fused[pos]), 4), sentence))
            chosen_vecs.append(probe)
            if len(chosen) == top_k:
                break
        top_rows = [int(ids[pos]) for pos in order[:5]]
        top_dense = float(dense.max())
        return Ranked(
            passages=tuple(chosen),
            top_dense=top_dense,
            top_lexical=float(lex.max()) if lex.size else 0.0,
            top_fused=float(fused.max()),
            evidence=top_dense,
            lexical_coverage=self.lexical.coverage(tokens, top_rows),
            unknown_years=tuple(y for y in dict.fromkeys(_YEAR.findall(question)) if y not in self.years),
            unknown_names=self.unknown_names(question) if self.cfg.decline_unknown_names else (),
            query_vector=qvec,
        )

    def unknown_names(self, question: str) -> tuple[str, ...]:
        """Names no document uses, and the subject of "What is X?" when no document uses X
        (nor is X the initials of one of their names: "WEF")."""
        subject = definition_subject(question)
        if subject and not self.lexical.knows(subject) and not self.names.is_initials(subject):
            return (subject,)
        return self.names.unknown(question)


_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def ubiquitous_words(data: IndexData) -> frozenset[str]:
    """Lower-cased words found in every document (only meaningful with 3+ documents)."""
    per_doc: dict[str, set[str]] = {}
    for p in data.passages:
        per_doc.setdefault(p.doc_id, set()).update(w.lower() for w in _WORD.findall(f"{p.title} {p.text}"))
    if len(per_doc) < 3:
        return frozenset()
    return frozenset(set.intersection(*per_doc.values()))

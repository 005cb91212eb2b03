"""The one-line answer: the sentence of the top passages that holds what the question asks.

Every candidate sentence (the sentences the index stores per passage, with their vectors)
is scored by its closeness to the question, the rank of its passage, and whether it holds
the asked type of thing (a count of the asked noun, a date, a name, a place, a list, a
definition of the asked subject). The answer is always a sentence of the documents, so it is
never invented; when none holds the asked type, the closest sentence is kept and the gap is
reported, so the renderer can say plainly what the documents do not give.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.answering import spans
from bot.retrieval.hybrid import HybridRetriever, Ranked
from bot.retrieval.lexical import STOPWORDS

LEAD_DEPTH = 3  # passages whose sentences compete for the one-line answer
_RANK_PRIOR = (0.15, 0.07, 0.0)
_OVERLAP_WEIGHT = 0.1  # share of the question's distinctive words the sentence holds
_TYPE_BONUS = 0.12  # the sentence holds the asked type of thing
_NOUN_BONUS = 0.08  # ... and, for a count, of the asked noun
_QUOTE_PENALTY = 0.08  # a quotation names a thing more often than it states the fact asked
_QUOTE_SHY = ("definition", "number", "since", "day", "date", "place", "list", "yesno")
_SHORT_PENALTY = 0.1  # headings and datelines ("12 Nov 2018") are not answers
_MAX_DEFINITIONS = 20
_TYPED = ("number", "since", "day", "date", "place", "list", "person", "definition")
_STRICT = (
    "number",
    "since",
    "day",
    "date",
    "place",
    "list",
    "person",
    "definition",
)  # only sentences holding the type compete


@dataclass(frozen=True)
class Lead:
    """The chosen sentence, the part of it that answers, and where it comes from."""

    text: str
    span: str = ""
    passage_id: str = ""
    gap: str = ""  # the asked type no candidate held
    score: float = 0.0
    elsewhere: bool = False  # from a passage outside the ranked top (a definition found by its subject)


def _all_shared(name: str, shared: frozenset[str]) -> bool:
    """A name every document uses ("Paris Call") answers no "who" question."""
    words = [w.casefold() for w in _WORD.findall(name)]
    return bool(words) and all(w in shared or w in ("for", "and", "of", "in", "the") for w in words)


def find_span(
    sentence: str, kind: str | None, question: str, shared: frozenset[str] = frozenset()
) -> tuple[str, float]:
    """The span of `sentence` answering a question of `kind`, and its bonus (0: none)."""
    if kind == "number":
        noun = spans.counted_noun(question)
        numbers = spans.number_spans(sentence)
        matching = [span for span, head in numbers if spans.same_noun(head, noun)]
        if matching:
            return matching[0], _TYPE_BONUS + _NOUN_BONUS
        return (numbers[0][0], _TYPE_BONUS / 2) if numbers and not noun else ("", 0.0)
    if kind in ("since", "day"):
        found = spans.since_spans(sentence) if kind == "since" else spans.day_spans(sentence)
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "date":
        found = spans.date_spans(sentence)
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "place":
        found = [place for place in spans.place_spans(sentence) if not _all_shared(place.split(None, 1)[1], shared)]
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "list":
        listed = spans.list_span(sentence)
        return (listed, _TYPE_BONUS) if listed else ("", 0.0)
    if kind == "person":
        found = [name for name in spans.name_spans(sentence, question) if not _all_shared(name, shared)]
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "definition":
        defined = spans.definition_span(sentence, spans.defined_subject(question))
        return (defined, _TYPE_BONUS) if defined else ("", 0.0)
    return "", 0.0


def _content_stems(retriever: HybridRetriever, text: str) -> frozenset[str]:
    """Stemmed words of `text` that are not shared by every document ("Paris", "Call");
    remembered per index version, since the same sentences come up again and again."""
    with _LOCK:
        memo = _STEMS.setdefault(retriever, {})
    stems = memo.get(text)
    if stems is None:
        words = _words(text)
        ubiquitous = retriever.ubiquitous
        stems = frozenset(
            stem for word, stem in zip(words, retriever.lexical.tokens(" ".join(words))) if word not in ubiquitous
        )
        if len(memo) < _MAX_MEMO:
            memo[text] = stems
    return stems


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def choose_lead(question: str, ranked: Ranked, retriever: HybridRetriever, depth: int = LEAD_DEPTH) -> Lead | None:
    """The best answering sentence among the top `depth` passages (None: no candidates).

    When some candidate holds the asked type, only those compete: a sentence closer in
    wording but without a date does not answer "when". A "what is X" question whose top
    passages only name X also considers the sentences elsewhere that define X.
    """
    candidates = ranked.passages[:depth]
    if not candidates:
        return None
    kind = spans.asked_kind(question)
    qvec = ranked.query_vector
    asked = _content_stems(retriever, question)
    data = retriever.data
    pool: list[tuple[float, bool, Lead]] = []

    def consider(sentence: str, sim: float, prior: float, passage_id: str, elsewhere: bool = False) -> None:
        span, bonus = find_span(sentence, kind, question, retriever.ubiquitous)
        score = sim + prior + bonus
        if asked:
            score += _OVERLAP_WEIGHT * len(asked & _content_stems(retriever, sentence)) / len(asked)
        if kind in _QUOTE_SHY and spans.is_quote(sentence):
            score -= _QUOTE_PENALTY
        if len(sentence.split()) < 5:
            score -= _SHORT_PENALTY
        pool.append((score, bool(span), Lead(sentence, span, passage_id, "", score, elsewhere)))

    for rank, scored in enumerate(candidates):
        rows = retriever.sentence_rows(scored.passage.passage_id)
        sentences: Sequence[str] = [data.sentences[r] for r in rows] or [scored.best_sentence or scored.passage.text]
        if len(rows) and qvec is not None:
            sims = data.sentence_vectors[rows.start : rows.stop] @ qvec
        else:  # no vectors: the ranked best sentence first
            sims = np.array([0.01 if s == scored.best_sentence else 0.0 for s in sentences])
        for sentence, sim in zip(sentences, sims):
            consider(sentence, float(sim), _RANK_PRIOR[min(rank, len(_RANK_PRIOR) - 1)], scored.passage.passage_id)
    if kind == "definition" and qvec is not None and not any(typed for _, typed, _ in pool):
        for row in _definitions(retriever, spans.defined_subject(question)):
            owner = data.passages[int(data.sentence_owner[row])]
            consider(data.sentences[row], float(data.sentence_vectors[row] @ qvec), 0.0, owner.passage_id, True)
    typed = [entry for entry in pool if entry[1]]
    best = max(typed if (typed and kind in _STRICT) else pool, key=lambda entry: entry[0])[2]
    if kind in _TYPED and not typed and kind != "definition":
        return replace(best, gap=kind)
    return best


def _definitions(retriever: HybridRetriever, subject: str) -> list[int]:
    """Rows of the sentences anywhere that define `subject` (at most a few)."""
    words = [w for w in re.findall(r"\w+", subject.casefold()) if w not in ("the", "a", "an")]
    if not words:
        return []
    phrase = " ".join(words)
    rows = []
    for row, sentence in enumerate(retriever.data.sentences):
        if phrase in " ".join(re.findall(r"\w+", sentence.casefold())) and spans.definition_span(sentence, subject):
            rows.append(row)
            if len(rows) == _MAX_DEFINITIONS:
                break
    return rows


_LOCK = threading.Lock()
_STEMS: weakref.WeakKeyDictionary[HybridRetriever, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()
_MAX_MEMO = 100_000
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

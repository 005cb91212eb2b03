"""The one-line answer: the sentence of the top passages that holds what the question asks.

Every candidate sentence (the sentences the index stores per passage, with their vectors)
is scored by its closeness to the question, the rank of its passage, and whether it holds
the asked type of thing (a count of the asked noun, a date, a name, a place, a list, a
definition of the asked subject). The answer is always a sentence of the documents, so it is
never invented; when none holds the asked type, the closest sentence is kept and the gap is
reported, so the renderer can say plainly what the documents do not give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bot.answering import spans
from bot.retrieval.hybrid import HybridRetriever, Ranked

LEAD_DEPTH = 3  # passages whose sentences compete for the one-line answer
_RANK_PRIOR = (0.04, 0.02, 0.0)
_TYPE_BONUS = 0.12  # the sentence holds the asked type of thing
_NOUN_BONUS = 0.08  # ... and, for a count, of the asked noun
_QUOTE_PENALTY = 0.08  # a quotation asked to define something merely names it
_SHORT_PENALTY = 0.1  # headings and datelines ("12 Nov 2018") are not answers
_TYPED = ("number", "date", "place", "list", "person", "definition")


@dataclass(frozen=True)
class Lead:
    """The chosen sentence, the part of it that answers, and where it comes from."""

    text: str
    span: str = ""
    passage_id: str = ""
    gap: str = ""  # the asked type no candidate held
    score: float = 0.0


def find_span(sentence: str, kind: str | None, question: str) -> tuple[str, float]:
    """The span of `sentence` answering a question of `kind`, and its bonus (0: none)."""
    if kind == "number":
        noun = spans.counted_noun(question)
        found = spans.number_spans(sentence)
        matching = [span for span, head in found if spans.same_noun(head, noun)]
        if matching:
            return matching[0], _TYPE_BONUS + _NOUN_BONUS
        return (found[0][0], _TYPE_BONUS / 2) if found and not noun else ("", 0.0)
    if kind == "date":
        found = spans.date_spans(sentence)
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "place":
        found = spans.place_spans(sentence)
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "list":
        found = spans.list_span(sentence)
        return (found, _TYPE_BONUS) if found else ("", 0.0)
    if kind == "person":
        found = spans.name_spans(sentence, question)
        return (found[0], _TYPE_BONUS) if found else ("", 0.0)
    if kind == "definition":
        found = spans.definition_span(sentence, spans.defined_subject(question))
        return (found, _TYPE_BONUS) if found else ("", 0.0)
    return "", 0.0


def choose_lead(question: str, ranked: Ranked, retriever: HybridRetriever, depth: int = LEAD_DEPTH) -> Lead | None:
    """The best answering sentence among the top `depth` passages (None: no candidates)."""
    candidates = ranked.passages[:depth]
    if not candidates:
        return None
    kind = spans.asked_kind(question)
    qvec = ranked.query_vector
    best: Lead | None = None
    typed_found = False
    data = retriever.data
    for rank, scored in enumerate(candidates):
        rows = retriever.sentence_rows(scored.passage.passage_id)
        sentences: Sequence[str] = [data.sentences[r] for r in rows] or [scored.best_sentence or scored.passage.text]
        sims = (data.sentence_vectors[rows.start:rows.stop] @ qvec) if (len(rows) and qvec is not None) else np.zeros(len(sentences))
        for sentence, sim in zip(sentences, sims):
            if sentence == scored.best_sentence and qvec is None:
                sim = 0.01  # no vectors (tests without a query vector): the ranked best sentence
            span, bonus = find_span(sentence, kind, question)
            typed_found = typed_found or bool(span)
            score = float(sim) + _RANK_PRIOR[min(rank, len(_RANK_PRIOR) - 1)] + bonus
            if kind == "definition" and spans.is_quote(sentence):
                score -= _QUOTE_PENALTY
            if len(sentence.split()) < 5:
                score -= _SHORT_PENALTY
            if best is None or score > best.score:
                best = Lead(sentence, span, scored.passage.passage_id, "", score)
    assert best is not None
    if kind in _TYPED and not typed_found and kind != "definition":
        return Lead(best.text, "", best.passage_id, kind, best.score)
    return best

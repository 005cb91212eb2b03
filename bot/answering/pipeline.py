"""The one answer pipeline: what the core serves, the quality gate checks and `callbot eval`
measures.

Small talk and principles that do not exist get a reply without a search; principle
references are parsed once and searched with the principles' wording; the questions of a
batch are ranked with one embedding call; then the decline decision (answered, tentative,
declined) and the one-line answer. Facts the bot holds as structured data (how many
principles there are, what principle N says) come from the principles file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot import i18n
from bot.answering.crosslingual import CrossLingual
from bot.answering.followup import Reading, resolve, with_prior
from bot.answering.lead import LEAD_DEPTH, Lead, choose_lead
from bot.answering.spans import NUMBER_WORDS, asked_kind, counted_noun, defined_subject
from bot.answering.vocabulary import unknown_words
from bot.config import RetrievalConfig
from bot.embedding.base import Embedder
from bot.retrieval.batch import rank_batch
from bot.retrieval.decision import compose_answer, reply_without_answer
from bot.retrieval.french import english_names, english_reading
from bot.retrieval.hybrid import Extra, HybridRetriever, Ranked
from bot.retrieval.language import ENGLISH, FRENCH, detect_language
from bot.retrieval.principle_refs import (
    PrincipleRefs,
    out_of_range,
    principle_refs_of,
    search_text,
)
from bot.retrieval.small_talk import small_talk
from bot.types import Answer, Principle, ScoredPassage, Turn

log = logging.getLogger(__name__)
_COUNT_WORDS = ["zero", *NUMBER_WORDS[:12]]  # "The Paris Call has nine principles"
_NORMAL = re.compile(r"[^\w]+")
_NAME_WORDS = 4  # longest "what is X" subject read as a name


class AnswerPipeline:
    """Answers a batch of cleaned questions against one index version; holds no state."""

    def __init__(
        self,
        cfg: RetrievalConfig,
        embedder: Embedder,
        principles: Callable[[], Sequence[Principle]],
        crosslingual: CrossLingual | None = None,
    ) -> None:
        """`crosslingual`: the multilingual signal for questions not in English (None: their
        English reading alone is searched)."""
        self.cfg = cfg
        self.embedder = embedder
        self._principles = principles
        self.crosslingual = crosslingual

    def answer_batch(
        self,
        retriever: HybridRetriever,
        items: Sequence[tuple[str, int]],
        contexts: Sequence[tuple[Turn, ...]] | None = None,
    ) -> list[Answer]:
        """`items` are (cleaned question, top_k); `contexts` each one's earlier turns (a
        follow-up is read with them, see `bot.answering.followup`); one Answer each, in order.

        A French question is searched as its English reading (`bot.retrieval.french`), with
        the multilingual model's match of the question as typed blended in; the reply
        carries `language="fr"` and the bot's own words in French."""
        principles = tuple(self._principles())
        if contexts is not None and any(contexts):
            languages = [detect_language(text) for text, _ in items]
            readings = [
                resolve(_in_english(text, lang), tuple(map(_turn_in_english, ctx)), retriever, principles)
                for (text, _), ctx, lang in zip(items, contexts, languages)
            ]
            # a question that stands alone is answered as typed, in its own language
            readings = [r if r.uses_context else Reading(text) for r, (text, _) in zip(readings, items)]
            if any(r.uses_context for r in readings):
                answers = self._answer_readings(retriever, items, readings)
                return [
                    i18n.answer_in(replace(a, question=text), lang) if r.uses_context and lang != ENGLISH else a
                    for a, r, (text, _), lang in zip(answers, readings, items, languages)
                ]
        return self._answer_plain(retriever, items)

    def _answer_readings(
        self, retriever: HybridRetriever, items: Sequence[tuple[str, int]], readings: Sequence[Reading]
    ) -> list[Answer]:
        """Follow-ups answered as read in their conversation; the others as they are."""
        plain = [n for n, r in enumerate(readings) if not r.uses_context or r.principle]
        answers: list[Answer | None] = [None] * len(items)
        asked = [(readings[n].question, items[n][1]) for n in plain]
        for n, answer in zip(plain, self._answer_plain(retriever, asked)):
            answers[n] = replace(answer, understood_as=readings[n].understood_as)
        todo = [n for n in range(len(items)) if answers[n] is None]
        if todo:
            wide = [(readings[n].question, max(items[n][1], LEAD_DEPTH)) for n in todo]
            searches = [readings[n].search for n in todo]
            for n, ranked in zip(todo, rank_batch(retriever, self.embedder, wide, self.cfg, searches)):
                reading = readings[n]
                ranked = with_prior(ranked, reading.prior_doc)
                answer = self._compose(reading.question, items[n][1], ranked, PrincipleRefs(), (), retriever)
                answers[n] = replace(answer, understood_as=reading.understood_as)
        return answers  # type: ignore[return-value]

    def _answer_plain(self, retriever: HybridRetriever, items: Sequence[tuple[str, int]]) -> list[Answer]:
        """Each question on its own."""
        version = retriever.data.version
        principles = tuple(self._principles())
        languages = [detect_language(text) for text, _ in items]
        readings = [
            english_reading(text) if lang == FRENCH else english_names(text)
            for (text, _), lang in zip(items, languages)
        ]
        refs = [principle_refs_of(reading, len(principles)) for reading in readings]
        answers: list[Answer | None] = []
        for (text, _), ref, lang in zip(items, refs, languages):
            kind = small_talk(text)
            missing = out_of_range(ref, len(principles))
            if kind:
                answers.append(reply_without_answer(text, i18n.text(kind, lang), version))
            elif missing:  # "principle 12"
                first = next(n for n in ref.numbers if not 1 <= n <= len(principles))
                words = i18n.text("out_of_range", lang, count=len(principles), missing=first)
                replied = reply_without_answer(text, missing if lang == ENGLISH else words, version)
                answers.append(replace(replied, suggestion_kind="principles"))
            else:
                answers.append(None)
        todo = [n for n, answer in enumerate(answers) if answer is None]
        if todo:
            searches = [search_text(readings[n], principles, refs[n]) for n in todo]
            wide = [(readings[n], max(items[n][1], LEAD_DEPTH)) for n in todo]
            extras = self._extras(retriever, [items[n][0] if languages[n] != ENGLISH else None for n in todo])
            ranks = rank_batch(retriever, self.embedder, wide, self.cfg, searches, extras)
            for n, ranked in zip(todo, ranks):
                answers[n] = self._compose(
                    readings[n], items[n][1], ranked, refs[n], principles, retriever, languages[n]
                )
        return [_in_language(a, text, lang) for a, (text, _), lang in zip(answers, items, languages) if a is not None]

    def _extras(self, retriever: HybridRetriever, others: Sequence[str | None]) -> list[Extra | None] | None:
        """The multilingual signal for the questions not in English (None for the others)."""
        wanted = [text for text in others if text is not None]
        if not wanted or self.crosslingual is None:
            return None
        found = iter(self.crosslingual.extras(retriever, wanted))
        return [next(found) if text is not None else None for text in others]

    def _compose(
        self,
        text: str,
        top_k: int,
        ranked: Ranked,
        ref: PrincipleRefs,
        principles: Sequence[Principle],
        retriever: HybridRetriever,
        language: str = ENGLISH,
    ) -> Answer:
        answer = compose_answer(text, ranked, retriever.data.version, self.cfg, language)
        structured = _principle_lead(text, ref, principles, ranked)
        lead = structured or choose_lead(text, ranked, retriever)
        answered = answer.answered or structured is not None
        tentative = False
        if lead is not None and not structured:
            tentative = answered and (self._borderline(ranked, lead) or _unknown_subject(text, retriever))
            if not answered and self._nearly(ranked, lead):
                answered = tentative = True
        passages = _listed(ranked, top_k, lead, retriever)
        if not answered or lead is None:
            return replace(answer, passages=passages, suggestion_kind="topics")
        kind = "principles" if ref.numbers or ref.everything or structured else ""
        return replace(
            answer,
            answered=True,
            message="",
            suggestions=(),
            passages=passages,
            lead=lead.text,
            lead_span=lead.span,
            lead_passage_id=lead.passage_id,
            lead_citation=_citation_of(structured, principles),
            lead_gap=lead.gap,
            tentative=tentative,
            suggestion_kind=kind,
        )

    def _borderline(self, ranked: Ranked, lead: Lead) -> bool:
        """Answered, but only just, or with no sentence holding what was asked."""
        return ranked.evidence < self.cfg.min_evidence + self.cfg.tentative_margin or bool(lead.gap)

    def _nearly(self, ranked: Ranked, lead: Lead) -> bool:
        """Declined, but only just, and a top sentence holds exactly the asked type of thing."""
        if ranked.unknown_names or ranked.unknown_years or not lead.span:
            return False
        return ranked.evidence >= self.cfg.min_evidence - self.cfg.tentative_margin


def _in_english(text: str, language: str) -> str:
    """A follow-up's words for the (English) follow-up rules: "et quand ?" -> "and when"."""
    return english_reading(text, question_first=False) if language == FRENCH else text


def _turn_in_english(turn: Turn) -> Turn:
    return replace(turn, question=_in_english(turn.question, detect_language(turn.question)))


def _in_language(answer: Answer, question: str, language: str) -> Answer:
    """The answer to a question not in English: the question as typed (not its English
    reading); renderers word it in `language`."""
    if language == ENGLISH:
        return answer
    return replace(answer, question=question, language=language, read_as="")


def _unknown_subject(text: str, retriever: HybridRetriever) -> bool:
    """A "what is X" question about an X the documents never name (X a short name, not a
    clause: "the venue where ... took place" is a paraphrase, not a name)."""
    if asked_kind(text) != "definition":
        return False
    subject = defined_subject(text)
    return len(subject.split()) <= _NAME_WORDS and bool(unknown_words(subject, retriever))


def _listed(ranked: Ranked, top_k: int, lead: Lead | None, retriever: HybridRetriever) -> tuple[ScoredPassage, ...]:
    """The top_k passages, extended to the answer's own passage so its citation is listed."""
    passages = ranked.passages[:top_k]
    if lead is None or not lead.passage_id or any(p.passage.passage_id == lead.passage_id for p in passages):
        return passages
    for upto, scored in enumerate(ranked.passages):
        if scored.passage.passage_id == lead.passage_id:
            return ranked.passages[: upto + 1]
    passage = next(p for p in retriever.data.passages if p.passage_id == lead.passage_id)
    return (*passages, ScoredPassage(passage, 0.0, lead.text))  # found by its subject, not ranked: listed last


def _principle_lead(text: str, ref: PrincipleRefs, principles: Sequence[Principle], ranked: Ranked) -> Lead | None:
    """The structured answer for "how many principles?" and "what is principle N?"."""
    if not principles:
        return None
    if (
        (ref.everything or "principle" in text.casefold())
        and asked_kind(text) == "number"
        and counted_noun(text).startswith("principle")
    ):
        count = len(principles)
        words = _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)
        return Lead(f"The Paris Call has {words} principles.", f"{words} principles")
    valid = [n for n in ref.numbers if 1 <= n <= len(principles)]
    if not valid:
        return None
    wording = principles[valid[0] - 1].text
    probe = _NORMAL.sub(" ", wording.casefold())[:60]
    for scored in ranked.passages:
        for sentence in scored.passage.text.splitlines():
            if probe and probe in _NORMAL.sub(" ", sentence.casefold()):
                clean = sentence.strip().lstrip("-•* ").strip()
                return Lead(clean, clean.rstrip(";. "), scored.passage.passage_id)
    return Lead(wording, wording)


def _citation_of(structured: Lead | None, principles: Sequence[Principle]) -> str:
    """Where a structured lead comes from: the principles file's source document."""
    if structured is None or structured.passage_id or not principles:
        return ""
    src = principles[0]
    tail = f", {src.source_date}" if src.source_date else ""
    return f"{src.source_title} — {src.source_publisher}{tail}"


def answer_with(
    pipeline: AnswerPipeline, retriever: HybridRetriever, questions: Sequence[str], top_k: int
) -> list[Answer]:
    """Convenience for callers holding plain questions (the quality gate)."""
    return pipeline.answer_batch(retriever, [(q, top_k) for q in questions])

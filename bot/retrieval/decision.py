"""Answer or decline: the bot only answers when the documents really support it."""

from __future__ import annotations

from bot import i18n
from bot.config import RetrievalConfig
from bot.retrieval.hybrid import Ranked
from bot.types import Answer

DECLINE_MESSAGE = i18n.text("decline")
_QUOTES = {i18n.ENGLISH: "“{}”", i18n.FRENCH: "« {} »"}


def decline_message(ranked: Ranked, language: str = i18n.ENGLISH) -> str:
    if ranked.unknown_years:
        return i18n.text("decline_years", language, years=i18n.or_join(ranked.unknown_years, language))
    if ranked.unknown_names:
        quote = _QUOTES.get(language, _QUOTES[i18n.ENGLISH])
        names = i18n.or_join([quote.format(name) for name in ranked.unknown_names], language)
        return i18n.text("decline_names", language, names=names)
    return i18n.text("decline", language)


def is_supported(ranked: Ranked, cfg: RetrievalConfig) -> bool:
    """Strong enough evidence: the question, and the question without the words every
    document shares, come close to some passage; or, for short questions that embed
    poorly ("What did Brad Smith say?"), most of their rare terms are found in one of
    the top passages and the dense match is at least plausible."""
    if not ranked.passages or ranked.unknown_years or ranked.unknown_names:
        return False  # "in 2021", "the Tallinn Manual": no document mentions that year or name
    if ranked.evidence >= cfg.min_evidence:
        return True
    return ranked.lexical_coverage >= cfg.min_lexical_coverage and ranked.evidence >= cfg.min_evidence_with_terms


def compose_answer(
    question: str, ranked: Ranked, version: str, cfg: RetrievalConfig, language: str = i18n.ENGLISH
) -> Answer:
    """The neutral Answer; candidates are kept even when declining (the JSON lists them)."""
    if is_supported(ranked, cfg):
        return Answer(
            question=question, answered=True, passages=ranked.passages, index_version=version, read_as=ranked.read_as
        )
    return Answer(
        question=question,
        answered=False,
        passages=ranked.passages,
        index_version=version,
        message=decline_message(ranked, language),
        read_as=ranked.read_as,
        suggestion_kind="topics",  # each renderer words what it can answer instead
    )


def reply_without_answer(question: str, message: str, version: str) -> Answer:
    """Not a question the documents answer (a greeting, "principle 12"): the reply alone."""
    return Answer(
        question=question,
        answered=False,
        passages=(),
        index_version=version,
        message=message,
        searched=False,
        suggestion_kind="topics",
    )

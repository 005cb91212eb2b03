"""Helpers every renderer uses: citations, the best sentence, the decline text."""

from __future__ import annotations

from bot.types import Answer, Passage, ScoredPassage

DECLINE_SUGGESTIONS = (
    "the Call's nine principles (try `principles` or `principle 8`)",
    "who launched, signed or declined to sign the Call",
    "the documents I know (`sources`)",
)


def citation(passage: Passage) -> str:
    """'Title — Publisher, Date' (date omitted when unknown)."""
    tail = f", {passage.date}" if passage.date else ""
    return f"{passage.title} — {passage.publisher}{tail}"


def split_on_best(scored: ScoredPassage) -> tuple[str, str, str]:
    """(before, best sentence, after) so a renderer can emphasise the best sentence."""
    text, best = scored.passage.text, scored.best_sentence
    at = text.find(best) if best else -1
    if at < 0:
        return "", text, ""
    return text[:at], best, text[at + len(best):]


def decline_text(answer: Answer) -> str:
    """The plain sentence a declined question gets, with what the bot can answer instead."""
    lead = answer.message or "The documents I have do not cover that."
    return lead + " I can answer questions about " + "; ".join(answer.suggestions or DECLINE_SUGGESTIONS) + "."


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, fits in `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ellipsis

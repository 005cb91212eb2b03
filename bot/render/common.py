"""Helpers every renderer uses: citations, the one-line answer, the best sentence, the
decline text."""

from __future__ import annotations

from bot import i18n
from bot.answering.spans import counted_noun
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
    return text[:at], best, text[at + len(best) :]


def decline_text(answer: Answer) -> str:
    """The plain sentence a declined question gets, with what the bot can answer instead
    (in the question's language)."""
    lang = answer.language
    lead = answer.message or i18n.text("decline", lang)
    default = DECLINE_SUGGESTIONS if lang == i18n.ENGLISH else i18n.suggestions(lang)
    return lead + i18n.text("can_answer", lang, topics="; ".join(answer.suggestions or default))


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, fits in `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def link(passage: Passage) -> str:
    """The source's address when it has one (a fetched page), else ""."""
    return passage.source if passage.source.startswith(("http://", "https://")) else ""


def lead_passage(answer: Answer) -> ScoredPassage | None:
    """The listed passage the one-line answer comes from."""
    return (
        next((p for p in answer.passages if p.passage.passage_id == answer.lead_passage_id), None)
        if answer.lead_passage_id
        else None
    )


def lead_citation(answer: Answer) -> str:
    """The one-line answer's citation: its passage's, or the structured source's."""
    scored = lead_passage(answer)
    return citation(scored.passage) if scored else answer.lead_citation


def lead_parts(answer: Answer) -> tuple[str, str, str]:
    """(before, span, after) of the one-line answer, so a renderer can mark the span."""
    lead, span = answer.lead, answer.lead_span
    at = lead.find(span) if span else -1
    if at < 0:
        return lead, "", ""
    return lead[:at], span, lead[at + len(span) :]


def lead_preface(answer: Answer) -> str:
    """What precedes the one-line answer: the tentative mark, or what the documents do not give."""
    lang = answer.language
    if answer.lead_gap:
        noun = counted_noun(answer.question) if answer.lead_gap == "number" and lang == i18n.ENGLISH else ""
        what = i18n.text("gap_count", lang, noun=noun) if noun else i18n.gap_word(answer.lead_gap, lang)
        return i18n.text("gap", lang, what=what)
    if answer.tentative:
        return i18n.text("tentative", lang)
    return ""


def supporting_passages(answer: Answer, limit: int = 2) -> list[ScoredPassage]:
    """Up to `limit` passages, best first, each from a different document than the answer
    and than each other (each document is cited once)."""
    lead = lead_passage(answer)
    seen = {lead.passage.doc_id} if lead else set()
    chosen: list[ScoredPassage] = []
    for scored in answer.passages:
        if citation(scored.passage) == answer.lead_citation:
            continue  # the structured answer's own source, already cited
        if scored.passage.doc_id not in seen and len(chosen) < limit:
            seen.add(scored.passage.doc_id)
            chosen.append(scored)
    return chosen


def hint_text(answer: Answer, principles_command: str) -> str:
    """The platform's command hint for a suggestion kind ("" when none applies)."""
    if answer.suggestion_kind == "principles":
        return i18n.text("principles_hint", answer.language, command=principles_command)
    return ""


def about_line(answer: Answer) -> str:
    """ "(about: when? — after “who launched the paris call?”)": how a follow-up was read
    with its conversation, so a person sees why ("" when the conversation was not used)."""
    return f"(about: {answer.understood_as})" if answer.understood_as else ""

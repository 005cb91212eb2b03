"""Helpers every renderer uses: citations, the one-line answer, the best sentence, the
decline text, and `Hints`: the words a renderer adds around the documents' text.

The core says which kind of suggestion applies (`Answer.suggestion_kind`); each platform
words it with its own `Hints` instance, naming commands that work there. Every sentence a
renderer adds lives in that table, so a second language is a second table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot import i18n
from bot.answering.spans import counted_noun
from bot.types import Answer, Passage, ScoredPassage

_GAPS = {
    "since": "how long",
    "day": "the day",
    "date": "a date",
    "place": "a place",
    "list": "a list",
    "person": "a name",
    "number": "a number",
}


@dataclass(frozen=True)
class Hints:
    """The words one platform's renderer adds: command names as typed there, and every
    fixed sentence (declines, tentative marks, button labels). `{principles}`, `{principle}`
    and `{sources}` in the sentences are replaced by the platform's commands."""

    principles: str  # the command listing the principles, as typed on this platform
    principle: str  # the command showing one ("principle 8")
    sources: str  # the command listing the documents
    not_covered: str = "The documents I have do not cover that."
    can_answer: str = "I can answer questions about"
    topics: tuple[str, ...] = (
        "the Call's nine principles ({principles}, {principle})",
        "who launched, joined or declined to sign the Call, and when",
        "the sources I answer from ({sources})",
    )
    list_principles: str = "{principles} lists them all."
    closest: str = "The closest the documents come is: "
    not_given: str = "The documents do not give {what}; the closest they come is: "
    number_of: str = "the number of {noun}"
    gaps: tuple[tuple[str, str], ...] = tuple(_GAPS.items())
    sources_button: str = "Sources"
    show_passages: str = "Show passages"
    passages_title: str = "Supporting passages"
    no_passages: str = "Those passages are no longer in the documents I answer from; ask again for fresh ones."
    index_version: str = "Index version {version}"
    discussed: str = "Passages that discuss it · index version {version}"
    read_as: str = "(read as: {text})"
    about: str = "(about: {text})"
    asked: str = "Q: {question}"
    helpful: str = "Helpful"
    not_helpful: str = "Not helpful"
    share: str = "Share in channel"
    shared_by: str = "shared by {who}"
    principles_title: str = "The {count} principles of the Paris Call"
    principle_title: str = "Principle {number} — {title}"
    wording_from: str = "Wording quoted from: {source}"
    principle_more: str = "{principle} shows one in full, with the passages that discuss it."
    sources_title: str = "The documents I answer from ({count})"
    passages_count: str = "{count} passages"
    no_documents: str = "No documents are indexed yet."
    more_than_fits: str = "…and more: {count} in all."
    help_title: str = "callbot — the Paris Call, with sources"
    help: tuple[str, ...] = ()  # the platform's help lines ({principles}, {sources}... filled in)
    help_admin: tuple[str, ...] = ()  # shown to admins only
    gaps_title: str = "What people asked that I could not answer well"
    gaps_none: str = "No gaps so far: no question was declined or voted not helpful."
    gaps_counts: str = "asked {count}× · declined {declined} · voted not helpful {not_helpful}"
    gaps_also: str = "also asked as: {variants}"
    gaps_footer: str = "Most asked first. A document that covers these is worth adding."

    def fill(self, text: str, **more: object) -> str:
        return text.format(principles=self.principles, principle=self.principle, sources=self.sources, **more)

    def suggestions(self) -> tuple[str, ...]:
        """What the bot can answer instead, worded for this platform."""
        return tuple(self.fill(t) for t in self.topics)


CONSOLE_HINTS = Hints(
    principles="`callbot principles`", principle="`callbot principles 8`", sources="`callbot sources`"
)


def in_language(hints: Hints, language: str) -> Hints:
    """A platform's words in `language` (`Answer.language`): the sentences of an answer in
    that language (declines, tentative marks, buttons), the platform's command names kept.
    English, or a language without a table, is `hints` itself."""
    words = i18n.hint_words(language)
    return replace(hints, **words) if words else hints


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


def decline_text(answer: Answer, hints: Hints = CONSOLE_HINTS) -> str:
    """The plain sentence a declined question gets, with what the bot can answer instead
    (or the command that lists the principles, for "principle 12"); in the answer's language."""
    hints = in_language(hints, answer.language)
    lead = answer.message or hints.not_covered
    if answer.suggestion_kind == "principles":
        return f"{lead} {hint_text(answer, hints)}"
    return f"{lead} {hints.can_answer} " + "; ".join(hints.suggestions()) + "."


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


def lead_preface(answer: Answer, hints: Hints = CONSOLE_HINTS) -> str:
    """What precedes the one-line answer: the tentative mark, or what the documents do not give."""
    lang = answer.language
    hints = in_language(hints, lang)
    if answer.lead_gap:
        noun = counted_noun(answer.question) if answer.lead_gap == "number" and lang == i18n.ENGLISH else ""
        what = hints.number_of.format(noun=noun) if noun else dict(hints.gaps).get(answer.lead_gap, "that")
        return hints.not_given.format(what=what)
    if answer.tentative:
        return hints.closest
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


def one_per_document(passages: Sequence[ScoredPassage], limit: int = 2) -> list[ScoredPassage]:
    """Up to `limit` passages, best first, no two from one document (each cited once)."""
    seen: set[str] = set()
    chosen: list[ScoredPassage] = []
    for scored in passages:
        if scored.passage.doc_id not in seen and len(chosen) < limit:
            seen.add(scored.passage.doc_id)
            chosen.append(scored)
    return chosen


def hint_text(answer: Answer, hints: Hints = CONSOLE_HINTS) -> str:
    """The platform's command hint for a suggestion kind ("" when none applies)."""
    if answer.suggestion_kind == "principles":
        hints = in_language(hints, answer.language)
        return hints.fill(hints.list_principles)
    return ""


def passage_key(passage_id: str) -> str:
    """A short key for a passage that survives rebuilds while its text is unchanged
    (position and text digest; the document id is too long for a Discord custom_id)."""
    _, _, tail = passage_id.partition(":")
    return tail.replace(":", "-") or passage_id


def passage_ref(scored: ScoredPassage) -> str:
    """`passage_key` plus where its best sentence is ("0012-1a2b3c4d~120+85"), so a button
    can show the passage with that sentence bold again (the digest pins the text)."""
    key = passage_key(scored.passage.passage_id)
    at = scored.passage.text.find(scored.best_sentence) if scored.best_sentence else -1
    return f"{key}~{at}+{len(scored.best_sentence)}" if at >= 0 else key


def find_passages(passages: Sequence[Passage], refs: Sequence[str]) -> list[ScoredPassage]:
    """The passages these refs name (`passage_ref` or bare keys), in order, best sentence
    restored; a ref no longer indexed is skipped."""
    by_key = {passage_key(p.passage_id): p for p in passages}
    found: list[ScoredPassage] = []
    for ref in refs:
        key, _, span = ref.partition("~")
        passage = by_key.get(key)
        if passage is None:
            continue
        start, _, length = span.partition("+")
        best = ""
        if start.isdigit() and length.isdigit():
            best = passage.text[int(start) : int(start) + int(length)]
        found.append(ScoredPassage(passage, 0.0, best))
    return found


def about_line(answer: Answer, hints: Hints = CONSOLE_HINTS) -> str:
    """ "(about: when? — after “who launched the paris call?”)": how a follow-up was read
    with its conversation, so a person sees why ("" when the conversation was not used)."""
    return hints.about.format(text=answer.understood_as) if answer.understood_as else ""

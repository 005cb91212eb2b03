"""Core results -> Discord messages: answer embeds, principles, sources, help, declines.

An answer is one embed led by the one-line answer (the part that answers in bold), its
citation under it and the index version in the footer; the supporting passages are one
click away (the Sources button, `sources.py`), rendered by `passages_messages`.

Pure functions, no I/O, so every message shape is testable without a connection. Text from
documents and from users is escaped (markdown and mentions) before it is shown; only the
markup added here is live; newlines in documents are kept. Sizes are kept within Discord's
limits by `limits`. Every sentence added here comes from `HINTS` (one table per language).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.adapters.discord.limits import (
    AUTHOR_LIMIT,
    Outgoing,
    clip,
    content_messages,
    make_embed,
    pack_embeds,
    text_embeds,
)
from bot.render.common import (
    Hints,
    about_line,
    citation,
    hint_text,
    in_language,
    lead_citation,
    lead_parts,
    lead_passage,
    lead_preface,
    one_per_document,
    split_on_best,
    supporting_passages,
)
from bot.types import Answer, Principle, ScoredPassage

EXCERPT_CHARS = 900  # per passage: the best sentence with its context, readable in chat
LEAD_CHARS = 3000  # the answer line; the citation and hint fit in the rest of the 4,096
HINTS = Hints(
    principles="`/principles`",
    principle="`/principle 8`",
    sources="`/sources`",
    principle_more="/principle <number> for the passages that discuss one",  # a footer: no markdown
    help=(
        "I answer questions about the **Paris Call for Trust and Security in Cyberspace**, "
        "quoting the documents I was given and citing each one.",
        "",
        "**Ask me**",
        "• mention me with your question, or send me a direct message",
        "• `/ask question` — add `private: True` to see the answer alone",
        "",
        "**Browse**",
        "• `/principles` — the Call's nine principles",
        "• `/principle number` — one principle with the passages that discuss it",
        "• `/sources` — the documents I answer from",
    ),
    help_admin=(
        "",
        "**Admin**",
        "• `/reindex` — rebuild the index from the knowledge folder",
        "• `/add-document file` — add a .md, .txt, .html or .pdf document",
        "• `/remove-document document` — remove a document",
        "• `/rollback` — go back to the previous index version",
        "• `/gaps` — what people asked that I could not answer well",
    ),
    gaps_footer="Most asked first · documents that cover these are worth adding (/add-document)",
)


def safe(text: str) -> str:
    """User or document text made inert: markdown escaped, mentions broken."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def bold(text: str) -> str:
    """Bold each non-empty line on its own, so a split never leaves a span open."""
    return "\n".join(f"**{line.strip()}**" if line.strip() else line for line in text.split("\n"))


def web_url(source: str) -> str | None:
    return source if source.startswith(("https://", "http://")) else None


def _tail(text: str, n: int) -> str:
    """The last ~n characters of `text`, starting at a word, with a leading ellipsis."""
    if n >= len(text):
        return text
    if n <= 1:
        return ""
    cut = text[len(text) - n + 1 :]
    space = cut.find(" ")
    if 0 <= space < len(cut) // 2:
        cut = cut[space + 1 :]
    return "…" + cut.lstrip()


def excerpt(scored: ScoredPassage, limit: int = EXCERPT_CHARS) -> str:
    """The passage around its best sentence, at most `limit` characters, best sentence bold."""
    before, best, after = split_on_best(scored)
    best = clip("\n".join(" ".join(line.split()) for line in best.strip().splitlines()), limit)
    room = max(0, limit - len(best))
    if len(before) + len(after) > room:
        # Half the room on each side; a short side leaves its spare to the other.
        keep_after = min(len(after), max(room // 2, room - len(before)))
        before = _tail(before, room - keep_after)
        after = clip(after, keep_after) if keep_after > 1 else ""
    head, tail = safe(before.rstrip()), safe(after.lstrip())
    text = bold(safe(best))
    if head.strip():
        text = head + _gap(before[len(before.rstrip()) :]) + text
    if tail.strip():
        text = text + _gap(after[: len(after) - len(after.lstrip())]) + tail
    return text


def _gap(whitespace: str) -> str:
    """The separator a stripped run of whitespace stands for: a line break stays a line
    break (a bullet after a bold sentence starts its own line), anything else one space."""
    return "\n" if "\n" in whitespace else " "


def _bold_span(span: str) -> str:
    """`span` in bold, its edge spaces kept outside the markers."""
    core = span.strip()
    if not core:
        return safe(span)
    start = span.find(core)
    return span[:start] + bold(safe(core)) + span[start + len(core) :]


def lead_markdown(answer: Answer, hints: Hints = HINTS) -> str:
    """The one-line answer, escaped, with the part that answers in bold (its preface first
    when the answer is tentative)."""
    before, span, after = lead_parts(answer)
    return safe(lead_preface(answer, hints)) + safe(before) + _bold_span(span) + safe(after)


def cited_line(title_and_rest: str, url: str | None) -> str:
    """'— *Title — Publisher, Date*', then the source's address when it has one."""
    if url is None:
        return f"— *{safe(title_and_rest)}*"
    return f"— *{safe(title_and_rest)}* · <{url}>"


def answer_embed(answer: Answer, hints: Hints = HINTS, *, echo_question: bool = False) -> discord.Embed:
    """One embed led by the answer: the answer line, its citation under it, a hint when
    one applies, the index version in the footer."""
    hints = in_language(hints, answer.language)
    lines = []
    if answer.read_as:
        lines.append(f"*{safe(hints.read_as.format(text=answer.read_as))}*")
    if answer.understood_as:  # how a follow-up was read with its conversation
        lines.append(f"*{safe(about_line(answer, hints))}*")
    line = lead_markdown(answer, hints)
    if len(line) > LEAD_CHARS:  # a giant "sentence" (a table, a list): cut, not bold, so no span is left open
        line = clip(safe(lead_preface(answer, hints) + answer.lead), LEAD_CHARS)
    lines.append(line)
    cited = lead_citation(answer)
    if cited:
        scored = lead_passage(answer)
        lines += ["", cited_line(cited, web_url(scored.passage.source) if scored else None)]
    hint = hint_text(answer, hints)
    if hint:
        lines += ["", hint]
    embed = make_embed(description="\n".join(lines), footer=hints.index_version.format(version=answer.index_version))
    if echo_question:
        # Author names are not markdown (escaping would show backslashes); mentions are broken.
        question = discord.utils.escape_mentions(" ".join(answer.question.split()))
        embed.set_author(name=clip(hints.asked.format(question=question), AUTHOR_LIMIT))
    return embed


def source_passages(answer: Answer) -> list[ScoredPassage]:
    """The passages the Sources button shows: at most two, each from a different document
    than the answer's and than each other."""
    return supporting_passages(answer) if answer.answered and answer.lead else []


def passage_block(scored: ScoredPassage, limit: int = EXCERPT_CHARS) -> str:
    """One passage for the Sources reply: its text around the best sentence (bold, newlines
    kept) and its citation once."""
    passage = scored.passage
    text = excerpt(scored, limit) if scored.best_sentence else safe(clip(passage.text.strip(), limit))
    return f"{text}\n{cited_line(citation(passage), web_url(passage.source))}"


def passages_messages(passages: Sequence[ScoredPassage], hints: Hints = HINTS) -> list[Outgoing]:
    """The supporting passages behind an answer's Sources button, one block each."""
    embeds = text_embeds((passage_block(p) for p in passages), title=hints.passages_title)
    return pack_embeds(embeds)


def passage_embed(number: int, scored: ScoredPassage) -> discord.Embed:
    """One cited passage: title links to the source, citation line under the excerpt."""
    passage = scored.passage
    description = f"{excerpt(scored)}\n\n— *{safe(citation(passage))}*"
    return make_embed(title=f"{number}. {passage.title}", description=description, url=web_url(passage.source))


def answer_messages(answer: Answer, *, echo_question: bool = False, hints: Hints = HINTS) -> list[Outgoing]:
    """An answered question: one embed led by the answer (see `answer_embed`); an answer
    without a one-line lead (none today) falls back to one embed per passage."""
    hints = in_language(hints, answer.language)
    if not answer.answered or not answer.passages and not answer.lead:
        return decline_messages(answer, hints)
    if answer.lead:
        return [Outgoing(embeds=(answer_embed(answer, hints, echo_question=echo_question),))]
    shown = one_per_document(answer.passages, limit=len(answer.passages))  # each document cited once
    embeds = [passage_embed(i, sp) for i, sp in enumerate(shown, start=1)]
    if answer.understood_as:  # how a follow-up was read with its conversation
        embeds[0].description = f"*{safe(about_line(answer, hints))}*\n\n{embeds[0].description}"
    if echo_question:
        # Author names are not markdown (escaping would show backslashes); mentions are broken.
        question = discord.utils.escape_mentions(" ".join(answer.question.split()))
        embeds[0].set_author(name=clip(hints.asked.format(question=question), AUTHOR_LIMIT))
    embeds[-1].set_footer(text=hints.index_version.format(version=answer.index_version))
    return pack_embeds(embeds)


def decline_messages(answer: Answer, hints: Hints = HINTS) -> list[Outgoing]:
    """A short, helpful reply for a question the documents do not cover: what the bot can
    answer instead, or (for "principle 12") the command that lists the principles; in the
    answer's language."""
    hints = in_language(hints, answer.language)
    lead = safe(answer.message or hints.not_covered)
    about = [f"*{safe(about_line(answer, hints))}*"] if answer.understood_as else []
    if answer.suggestion_kind == "principles":
        return content_messages("\n".join([*about, f"{lead} {hint_text(answer, hints)}"]))
    lines = [*about, lead, f"{hints.can_answer}:"] + [f"• {s}" for s in hints.suggestions()]
    return content_messages("\n".join(lines))


def notice_messages(text: str) -> list[Outgoing]:
    """A one-line notice (rate limit, refusal, error) as plain content."""
    return content_messages(text)


def _principle_block(p: Principle) -> str:
    return f"**{p.number}. {safe(p.title)}**\n{safe(p.text)}"


def _principle_source(p: Principle) -> str:
    date = f", {p.source_date}" if p.source_date else ""
    return HINTS.wording_from.format(source=f"{p.source_title} — {p.source_publisher}{date}")


def principles_messages(principles: Sequence[Principle]) -> list[Outgoing]:
    """All principles, numbered, with short titles and the Call's wording."""
    footer = _principle_source(principles[0]) + " · " + HINTS.fill(HINTS.principle_more) if principles else None
    embeds = text_embeds(
        (_principle_block(p) for p in principles),
        title=HINTS.principles_title.format(count=len(principles)),
        footer=footer,
    )
    return pack_embeds(embeds)


def principle_messages(principle: Principle, answer: Answer | None, hints: Hints = HINTS) -> list[Outgoing]:
    """One principle's full wording, then the passages that discuss it (if any)."""
    head = make_embed(
        title=hints.principle_title.format(number=principle.number, title=principle.title),
        description=safe(principle.text),
        footer=_principle_source(principle),
    )
    embeds = [head]
    if answer is not None and answer.answered:
        shown = one_per_document(answer.passages)
        embeds += [passage_embed(i, sp) for i, sp in enumerate(shown, start=1)]
        embeds[-1].set_footer(text=hints.discussed.format(version=answer.index_version))
    return pack_embeds(embeds)

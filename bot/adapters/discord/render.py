"""Core results -> Discord messages: answer embeds, principles, sources, help, declines.

Pure functions, no I/O, so every message shape is testable without a connection. Text from
documents and from users is escaped (markdown and mentions) before it is shown; only the
markup added here is live. Sizes are kept within Discord's limits by `limits`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot import i18n
from bot.adapters.discord.limits import (
    AUTHOR_LIMIT,
    Outgoing,
    clip,
    content_messages,
    make_embed,
    pack_embeds,
    text_embeds,
)
from bot.ops.gaps import Gap
from bot.render.common import about_line, citation, split_on_best
from bot.types import Answer, Principle, ScoredPassage, SourceInfo

EXCERPT_CHARS = 900  # per passage: the best sentence with its context, readable in chat
_CLI_COMMAND = re.compile(r"`(principles|principle \d+|sources|help)`")


def safe(text: str) -> str:
    """User or document text made inert: markdown escaped, mentions broken."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def bold(text: str) -> str:
    """Bold each non-empty line on its own, so a split never leaves a span open."""
    return "\n".join(f"**{line.strip()}**" if line.strip() else line for line in text.split("\n"))


def _web_url(source: str) -> str | None:
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
    best = clip(" ".join(best.split()), limit)
    room = max(0, limit - len(best))
    if len(before) + len(after) > room:
        # Half the room on each side; a short side leaves its spare to the other.
        keep_after = min(len(after), max(room // 2, room - len(before)))
        before = _tail(before, room - keep_after)
        after = clip(after, keep_after) if keep_after > 1 else ""
    parts = [safe(before.rstrip()), bold(safe(best)), safe(after.lstrip())]
    return " ".join(p for p in parts if p.strip())


def passage_embed(number: int, scored: ScoredPassage) -> discord.Embed:
    """One cited passage: title links to the source, citation line under the excerpt."""
    passage = scored.passage
    description = f"{excerpt(scored)}\n\n— *{safe(citation(passage))}*"
    return make_embed(title=f"{number}. {passage.title}", description=description, url=_web_url(passage.source))


def answer_messages(answer: Answer, *, echo_question: bool = False) -> list[Outgoing]:
    """An answered question: one embed per passage, index version in the last footer."""
    if not answer.answered or not answer.passages:
        return decline_messages(answer)
    embeds = [passage_embed(i, sp) for i, sp in enumerate(answer.passages, start=1)]
    if answer.understood_as:  # how a follow-up was read with its conversation
        embeds[0].description = f"*{safe(about_line(answer))}*\n\n{embeds[0].description}"
    if echo_question:
        # Author names are not markdown (escaping would show backslashes); mentions are broken.
        question = discord.utils.escape_mentions(" ".join(answer.question.split()))
        embeds[0].set_author(name=clip(f"Q: {question}", AUTHOR_LIMIT))
    embeds[-1].set_footer(text=f"Index version {answer.index_version} · /sources lists my documents")
    return pack_embeds(embeds)


def _discord_commands(text: str) -> str:
    """The core's suggestions name CLI commands; on Discord they are slash commands."""
    return _CLI_COMMAND.sub(lambda m: f"`/{m.group(1)}`", text)


def decline_messages(answer: Answer) -> list[Outgoing]:
    """A short, helpful reply for a question the documents do not cover."""
    lead = answer.message or "The documents I have do not cover that."
    suggestions = [_discord_commands(s) for s in answer.suggestions] or [
        "the Call's nine principles (`/principles`, `/principle 8`)",
        "who launched, joined or declined to sign the Call",
        "the sources I answer from (`/sources`)",
    ]
    header = (
        "I can answer questions about:" if answer.language == "en" else i18n.text("can_answer_list", answer.language)
    )
    lines = [lead, header] + [f"• {s}" for s in suggestions]
    if answer.understood_as:
        lines.insert(0, f"*{safe(about_line(answer))}*")
    return content_messages("\n".join(lines))


def notice_messages(text: str) -> list[Outgoing]:
    """A one-line notice (rate limit, refusal, error) as plain content."""
    return content_messages(text)


def _principle_block(p: Principle) -> str:
    return f"**{p.number}. {safe(p.title)}**\n{safe(p.text)}"


def _principle_source(p: Principle) -> str:
    date = f", {p.source_date}" if p.source_date else ""
    return f"Wording quoted from: {p.source_title} — {p.source_publisher}{date}"


def principles_messages(principles: Sequence[Principle]) -> list[Outgoing]:
    """All principles, numbered, with short titles and the Call's wording."""
    footer = _principle_source(principles[0]) + " · /principle <number> for passages" if principles else None
    embeds = text_embeds(
        (_principle_block(p) for p in principles),
        title=f"The {len(principles)} principles of the Paris Call",
        footer=footer,
    )
    return pack_embeds(embeds)


def principle_messages(principle: Principle, answer: Answer | None) -> list[Outgoing]:
    """One principle's full wording, then the passages that discuss it (if any)."""
    head = make_embed(
        title=f"Principle {principle.number} — {principle.title}",
        description=safe(principle.text),
        footer=_principle_source(principle),
    )
    embeds = [head]
    if answer is not None and answer.answered:
        embeds += [passage_embed(i, sp) for i, sp in enumerate(answer.passages, start=1)]
        embeds[-1].set_footer(text=f"Passages that discuss it · index version {answer.index_version}")
    return pack_embeds(embeds)


def _source_block(s: SourceInfo) -> str:
    title = safe(s.title)
    url = _web_url(s.source)
    linked = f"[{title}]({url})" if url else title
    date = f", {safe(s.date)}" if s.date else ""
    plural = "s" if s.passages != 1 else ""
    return f"**{linked}**\n{safe(s.publisher)}{date} · {s.passages} passage{plural}"


def sources_messages(sources: Sequence[SourceInfo], version: str) -> list[Outgoing]:
    """The documents in the serving index, with publisher and date."""
    ordered = sorted(sources, key=lambda s: (s.date or "", s.title))
    embeds = text_embeds(
        (_source_block(s) for s in ordered),
        title=f"My sources ({len(ordered)} documents)",
        footer=f"Index version {version}",
    )
    return pack_embeds(embeds)


def help_messages(version: str, *, admin: bool) -> list[Outgoing]:
    """What the bot does and how to use it; admin commands only for admins."""
    lines = [
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
    ]
    if admin:
        lines += [
            "",
            "**Admin**",
            "• `/reindex` — rebuild the index from the knowledge folder",
            "• `/add-document file` — add a .md, .txt, .html or .pdf document",
            "• `/remove-document document` — remove a document",
            "• `/rollback` — go back to the previous index version",
            "• `/gaps` — what people asked that I could not answer well",
        ]
    embeds = text_embeds(
        ["\n".join(lines)],
        title="callbot — the Paris Call, with sources",
        footer=f"Index version {version}",
        separator="\n",
    )
    return pack_embeds(embeds)


def _gap_block(number: int, gap: Gap) -> str:
    plural = "s" if gap.count != 1 else ""
    lines = [
        bold(f"{number}. {safe(gap.question)}"),
        f"asked {gap.count} time{plural} · declined {gap.declined} · voted not helpful {gap.not_helpful}",
    ]
    lines += [f"• also: {safe(variant)}" for variant in gap.variants]
    return "\n".join(lines)


def gaps_messages(gaps: Sequence[Gap]) -> list[Outgoing]:
    """Knowledge gaps for admins: each group's most asked phrasing, counts, other wordings."""
    if not gaps:
        return content_messages("No gaps so far: no question was declined or voted not helpful.")
    embeds = text_embeds(
        (_gap_block(i, g) for i, g in enumerate(gaps, start=1)),
        title="What people asked that I could not answer well",
        footer="Most asked first · documents that cover these are worth adding (/add-document)",
    )
    return pack_embeds(embeds)


def report_messages(text: str) -> list[Outgoing]:
    """The result of an admin operation (names in it come from users: escaped)."""
    return content_messages(safe(text))

"""Core listings -> Discord messages: the sources, help, knowledge gaps, admin reports.

Pure functions like `render`; text from documents and users is escaped with `render.safe`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.discord.limits import Outgoing, content_messages, pack_embeds, text_embeds
from bot.adapters.discord.render import bold, safe, web_url
from bot.ops.gaps import Gap
from bot.types import SourceInfo


def _source_block(s: SourceInfo) -> str:
    title = safe(s.title)
    url = web_url(s.source)
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

"""Core listings -> Discord messages: the sources, help, knowledge gaps, admin reports.

Pure functions like `render`; text from documents and users is escaped with `render.safe`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.discord.limits import Outgoing, content_messages, pack_embeds, text_embeds
from bot.adapters.discord.render import HINTS, bold, safe, web_url
from bot.ops.gaps import Gap
from bot.types import SourceInfo


def _source_block(s: SourceInfo) -> str:
    title = safe(s.title)
    url = web_url(s.source)
    linked = f"[{title}]({url})" if url else title
    date = f", {safe(s.date)}" if s.date else ""
    return f"**{linked}**\n{safe(s.publisher)}{date} · {HINTS.passages_count.format(count=s.passages)}"


def sources_messages(sources: Sequence[SourceInfo], version: str) -> list[Outgoing]:
    """The documents in the serving index, with publisher and date."""
    ordered = sorted(sources, key=lambda s: (s.date or "", s.title))
    embeds = text_embeds(
        (_source_block(s) for s in ordered),
        title=HINTS.sources_title.format(count=len(ordered)),
        footer=HINTS.index_version.format(version=version),
    )
    return pack_embeds(embeds)


def help_messages(version: str, *, admin: bool) -> list[Outgoing]:
    """What the bot does and how to use it; admin commands only for admins."""
    lines = [HINTS.fill(line) for line in (*HINTS.help, *(HINTS.help_admin if admin else ()))]
    embeds = text_embeds(
        ["\n".join(lines)],
        title=HINTS.help_title,
        footer=HINTS.index_version.format(version=version),
        separator="\n",
    )
    return pack_embeds(embeds)


def _gap_block(number: int, gap: Gap) -> str:
    lines = [
        bold(f"{number}. {safe(gap.question)}"),
        HINTS.gaps_counts.format(count=gap.count, declined=gap.declined, not_helpful=gap.not_helpful),
    ]
    lines += ["• " + HINTS.gaps_also.format(variants=safe(variant)) for variant in gap.variants]
    return "\n".join(lines)


def gaps_messages(gaps: Sequence[Gap]) -> list[Outgoing]:
    """Knowledge gaps for admins: each group's most asked phrasing, counts, other wordings."""
    if not gaps:
        return content_messages(HINTS.gaps_none)
    embeds = text_embeds(
        (_gap_block(i, g) for i, g in enumerate(gaps, start=1)),
        title=HINTS.gaps_title,
        footer=HINTS.gaps_footer,
    )
    return pack_embeds(embeds)


def report_messages(text: str) -> list[Outgoing]:
    """The result of an admin operation (names in it come from users: escaped)."""
    return content_messages(safe(text))

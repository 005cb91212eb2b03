"""Discord's size limits, and packing text and embeds into messages that respect them.

Discord refuses a whole message when one limit is exceeded, so every renderer goes through
here. Splitting never breaks formatting: renderers keep markup inside a line (bold spans are
opened and closed on the same line), text is cut at line boundaries first, a line only at
word boundaries, and a `**` span cut in two is closed and reopened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
CHOICE_NAME_LIMIT = 100
CHOICES_LIMIT = 25
from bot.render.common import truncate as clip  # noqa: E402  (re-exported: word-boundary cut)

BOLD = "**"


@dataclass(frozen=True)
class Outgoing:
    """One Discord message to send: content, embeds, or both (each within limits), and
    optionally buttons (`view`; one row of two buttons is far inside the 5 x 5 limit)."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None


def _hard_pieces(line: str, limit: int) -> list[str]:
    """Split one over-long line at spaces (or anywhere, for a giant word)."""
    pieces: list[str] = []
    rest = line
    while len(rest) > limit:
        at = rest.rfind(" ", 0, limit + 1)
        if at <= limit // 2:
            at = limit
            if rest[at - 1 : at + 1] == BOLD:  # never cut a `**` marker in two
                at -= 1
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _balance_bold(pieces: list[str]) -> list[str]:
    """Close a `**` span left open at the end of a piece and reopen it in the next one."""
    out: list[str] = []
    carry = False
    for piece in pieces:
        if carry:
            # A piece that starts with the closing marker needs neither closer nor reopener.
            piece = piece[len(BOLD) :] if piece.startswith(BOLD) else BOLD + piece
        carry = piece.count(BOLD) % 2 == 1
        if carry and piece.endswith(BOLD):  # the span opens at the cut: open it in the next piece
            piece = piece[: -len(BOLD)].rstrip()
        elif carry:
            piece += BOLD
        if piece:
            out.append(piece)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at line boundaries, then word boundaries."""
    if len(text) <= limit:
        return [text] if text else []
    # Reserve room for the `**` a cut bold span may need at each end.
    room = max(1, limit - 2 * len(BOLD))
    units: list[str] = []
    for line in text.split("\n"):
        units.extend(_balance_bold(_hard_pieces(line, room)) if len(line) > room else [line])
    chunks: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}\n{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            chunks.append(current.strip("\n"))
        current = unit
    if current.strip():
        chunks.append(current.strip("\n"))
    return chunks


def content_messages(text: str) -> list[Outgoing]:
    """Plain text as one or more messages of at most 2,000 characters."""
    return [Outgoing(content=chunk) for chunk in split_text(text, CONTENT_LIMIT)]


def make_embed(
    *,
    title: str | None = None,
    description: str | None = None,
    url: str | None = None,
    footer: str | None = None,
    author: str | None = None,
    colour: int = 0x2B5797,
) -> discord.Embed:
    """An embed whose every field is cut to Discord's limit (title, description, footer...)."""
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT) if title else None,
        description=clip(description, DESCRIPTION_LIMIT) if description else None,
        url=url,
        colour=colour,
    )
    if footer:
        embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    if author:
        embed.set_author(name=clip(author, AUTHOR_LIMIT))
    return embed


def text_embeds(
    blocks: Iterable[str], *, title: str | None = None, footer: str | None = None, separator: str = "\n\n"
) -> list[discord.Embed]:
    """Blocks of markdown packed into as few embed descriptions as fit (title on the first,
    footer on the last); a block larger than a description is split with `split_text`."""
    descriptions = split_text(separator.join(b for b in blocks if b), DESCRIPTION_LIMIT)
    if not descriptions:
        descriptions = [""]
    embeds = []
    for i, description in enumerate(descriptions):
        last = i == len(descriptions) - 1
        embeds.append(
            make_embed(
                title=title if i == 0 else None, description=description or None, footer=footer if last else None
            )
        )
    return embeds


def pack_embeds(embeds: Sequence[discord.Embed], content: str | None = None) -> list[Outgoing]:
    """Embeds grouped into messages of at most 10 embeds and 6,000 characters."""
    messages: list[Outgoing] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        n = len(embed)
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + n > EMBED_TOTAL):
            messages.append(Outgoing(content=None if messages else content, embeds=tuple(current)))
            current, size = [], 0
        current.append(embed)
        size += n
    if current or content:
        messages.append(Outgoing(content=None if messages else content, embeds=tuple(current)))
    return messages

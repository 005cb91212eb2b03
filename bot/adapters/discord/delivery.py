"""Sending rendered messages: replies, follow-ups, private notices, and Discord's errors.

Every send passes `allowed_mentions=none` (the client default is the same; both, so no
code path can forget), and a Discord error becomes one clear log line instead of a
traceback in an event handler.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.adapters.discord.client import NO_MENTIONS
from bot.adapters.discord.limits import Outgoing

log = logging.getLogger(__name__)
NOTICE_SECONDS = 20.0  # a public fallback notice deletes itself after this long
SORRY = "Sorry, something went wrong while answering that; the error was logged."


def where(channel: object) -> str:
    """'#name (guild id)' or 'a DM' for log lines."""
    guild = getattr(channel, "guild", None)
    name = getattr(channel, "name", None)
    return f"#{name} ({channel.id}) in guild {guild.id}" if guild and name else "a direct message"  # type: ignore[attr-defined]


def log_http_error(err: discord.HTTPException, action: str, place: str) -> None:
    """One actionable line per Discord error."""
    if isinstance(err, discord.Forbidden):
        log.warning(
            "Discord refused to %s in %s (403 missing permissions, code %s): give the bot View Channel, "
            "Send Messages, Send Messages in Threads, Embed Links and Read Message History there",
            action,
            place,
            err.code,
        )
    elif err.status == 429:
        log.warning("Discord rate limit while trying to %s in %s: %s", action, place, err.text)
    else:
        log.warning(
            "Discord error %s (code %s) while trying to %s in %s: %s", err.status, err.code, action, place, err.text
        )


async def reply(message: discord.Message, outgoing: Sequence[Outgoing]) -> bool:
    """Reply to a message (in its channel or thread); later parts follow in the channel."""
    try:
        for i, out in enumerate(outgoing):
            kwargs: dict[str, Any] = dict(content=out.content, embeds=list(out.embeds), allowed_mentions=NO_MENTIONS)
            if out.view is not None:
                kwargs["view"] = out.view
            if i == 0:
                await message.reply(mention_author=False, **kwargs)
            else:
                await message.channel.send(**kwargs)
        return True
    except discord.HTTPException as err:
        log_http_error(err, "reply", where(message.channel))
        return False


async def private_notice(message: discord.Message, text: str) -> None:
    """Tell one user something privately: in a DM, or else a short-lived reply."""
    if message.guild is None:
        await reply(message, [Outgoing(content=text)])
        return
    try:
        await message.author.send(text, allowed_mentions=NO_MENTIONS)
        return
    except discord.HTTPException:
        pass  # DMs closed: fall back to a reply that deletes itself
    try:
        await message.reply(text, mention_author=False, allowed_mentions=NO_MENTIONS, delete_after=NOTICE_SECONDS)
    except discord.HTTPException as err:
        log_http_error(err, "send a notice", where(message.channel))


async def followup(interaction: discord.Interaction, outgoing: Sequence[Outgoing], *, ephemeral: bool) -> bool:
    """Answer a deferred interaction with one follow-up per message."""
    try:
        for out in outgoing:
            await interaction.followup.send(
                content=out.content or discord.utils.MISSING,
                embeds=list(out.embeds) or discord.utils.MISSING,
                view=out.view if out.view is not None else discord.utils.MISSING,
                ephemeral=ephemeral,
                allowed_mentions=NO_MENTIONS,
            )
        return True
    except discord.HTTPException as err:
        log_http_error(
            err, f"answer /{interaction.command.name if interaction.command else '?'}", where(interaction.channel)
        )
        return False


async def respond_privately(interaction: discord.Interaction, text: str) -> None:
    """A private message for the user who ran a command, whether or not it was deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as err:
        log_http_error(err, "answer a command", where(interaction.channel))


async def defer_privately(interaction: discord.Interaction) -> None:
    """Acknowledge an interaction whose private reply will come later (as a follow-up)."""
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException as err:
        log_http_error(err, "acknowledge a click", where(interaction.channel))

"""A Discord conversation's earlier turns, read from Discord itself (no store of our own).

A reply to one of the bot's answers follows the reply chain (answer → the question it
answered → the answer that question replied to ...); a mention in a thread, a DM, and
`/ask` inside a thread read the channel's recent messages. A new mention in a channel starts
a new conversation, so two people in one channel share context only in a thread (or by
replying to the bot's answer). The history is Discord's, so it survives a restart; it is
bounded by `conversation.max_turns` and by time: a gap of more than
`conversation.max_age_minutes` between messages ends the conversation.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

import discord

from bot.config import ConversationConfig
from bot.types import Turn

log = logging.getLogger(__name__)
_BOLD = re.compile(r"\*\*|__")


def message_text(message: discord.Message) -> str:
    """What a message says: its content and its embeds' text (the bot answers in embeds)."""
    parts = [message.content or ""]
    parts += [f"{e.title or ''} {e.description or ''}" for e in message.embeds]
    return _BOLD.sub("", " ".join(p for p in parts if p.strip()))


def question_text(message: discord.Message, me_id: int) -> str:
    return " ".join(re.sub(rf"<@!?{me_id}>", " ", message.content or "").split())


def turns_of(
    newest_first: list[discord.Message], now: datetime, me_id: int, cfg: ConversationConfig
) -> tuple[Turn, ...]:
    """Question/answer pairs, oldest first: people's messages, each with the bot's reply
    after it. Walking back from `now`, a gap longer than the time limit ends the
    conversation; other bots' messages are skipped."""
    limit = cfg.max_age_minutes * 60
    recent: list[discord.Message] = []
    for message in newest_first:
        if (now - message.created_at).total_seconds() > limit:
            break
        recent.append(message)
        now = message.created_at
    turns: list[Turn] = []
    for message in reversed(recent):
        asked = _slash_question(message) if message.author.id == me_id else ""
        if asked:  # an `/ask` answer holds its question
            turns.append(Turn(asked, message_text(message)))
        elif message.author.id == me_id:
            if turns and not turns[-1].answer:
                turns[-1] = Turn(turns[-1].question, message_text(message))
        elif not message.author.bot:
            text = question_text(message, me_id)
            if text:
                turns.append(Turn(text))
    return tuple(turns[-cfg.max_turns :]) if cfg.max_turns else ()


def _slash_question(message: discord.Message) -> str:
    """The question of an `/ask` answer (its first embed's author line is "Q: …")."""
    author = message.embeds[0].author.name if message.embeds else None
    return author[3:].strip() if author and author.startswith("Q: ") else ""


async def _referenced(message: discord.Message) -> discord.Message | None:
    """The message `message` replies to (from the cache, the payload, or Discord)."""
    ref = message.reference
    if ref is None or ref.message_id is None:
        return None
    if isinstance(ref.resolved, discord.Message):
        return ref.resolved
    if ref.cached_message is not None:
        return ref.cached_message
    return await message.channel.fetch_message(ref.message_id)


async def reply_chain(message: discord.Message, me_id: int, cfg: ConversationConfig) -> tuple[Turn, ...]:
    """The turns a reply to the bot continues: each answer with the question it replied to."""
    turns: list[Turn] = []
    current, now = message, message.created_at
    while len(turns) < cfg.max_turns:
        answer = await _referenced(current)
        if answer is None or answer.author.id != me_id:
            break
        if (now - answer.created_at).total_seconds() > cfg.max_age_minutes * 60:
            break
        asked = await _referenced(answer)
        if asked is None:
            break
        turns.append(Turn(question_text(asked, me_id), message_text(answer)))
        current, now = asked, asked.created_at
    return tuple(reversed(turns))


async def context_for(message: discord.Message, me_id: int, cfg: ConversationConfig) -> tuple[Turn, ...]:
    """The earlier turns of the conversation `message` belongs to (() when it starts one, or
    when Discord cannot be read: the question is then answered on its own)."""
    if cfg.max_turns <= 0:
        return ()
    try:
        if message.reference is not None:
            chain = await reply_chain(message, me_id, cfg)
            if chain:
                return chain
        if isinstance(message.channel, (discord.Thread, discord.DMChannel)):
            return await recent_turns(message.channel, me_id, cfg, message)
    except discord.HTTPException as err:  # no Read Message History, a deleted message, ...
        log.warning("could not read the conversation's history (%s); answering the question alone", err)
    return ()


async def recent_turns(
    channel: discord.abc.Messageable,
    me_id: int,
    cfg: ConversationConfig,
    before: discord.Message | None = None,
    now: datetime | None = None,
) -> tuple[Turn, ...]:
    """The turns of a thread's or DM's recent messages before `before` (else up to `now`:
    an interaction's time)."""
    if cfg.max_turns <= 0:
        return ()
    newest_first = [m async for m in channel.history(limit=2 * cfg.max_turns + 2, before=before)]
    start = before.created_at if before is not None else (now or discord.utils.utcnow())
    return turns_of(newest_first, start, me_id, cfg)


async def slash_context(interaction: discord.Interaction, cfg: ConversationConfig) -> tuple[Turn, ...]:
    """`/ask` inside a thread continues the thread's conversation; elsewhere it starts one."""
    channel, me = interaction.channel, interaction.client.user
    if not isinstance(channel, discord.Thread) or me is None:
        return ()
    try:
        return await recent_turns(channel, me.id, cfg, now=interaction.created_at)
    except discord.HTTPException as err:
        log.warning("could not read the thread's history (%s); answering the question alone", err)
        return ()

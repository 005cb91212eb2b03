"""Messages in: mentions, DMs, threads and opt-in auto-answer channels.

The bot answers a message that mentions it (by user mention: `@everyone`, `@here` and role
mentions do not count), any DM, and questions in the channels listed in
`discord.auto_answer_channel_ids` (and their threads). It never answers itself, other
bots or webhooks. The reply goes to the message's own channel, so inside a thread it
stays in the thread.
"""

from __future__ import annotations

import logging
import re

import discord

from bot.adapters.asking import Asking, Refusal
from bot.adapters.discord import delivery, history, render
from bot.adapters.discord.client import actor_for
from bot.adapters.discord.feedback import with_buttons
from bot.adapters.discord.sources import answer_view
from bot.config import DiscordConfig
from bot.types import Actor

log = logging.getLogger(__name__)
_QUESTION_START = re.compile(
    r"^(who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|could|should|"
    r"would|will|has|have|had|tell|explain|list|name|describe)\b",
    re.IGNORECASE,
)
_ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def looks_like_question(text: str) -> bool:
    """In auto-answer channels only questions are answered, not every 'thanks!'."""
    text = text.strip()
    return "?" in text or bool(_QUESTION_START.match(text))


def strip_mentions_of(text: str, user_id: int) -> str:
    """The question without the `<@bot>` tokens that addressed it."""
    return " ".join(re.sub(rf"<@!?{user_id}>", " ", text).split())


class Conversations:
    """Decides whether a message is for the bot, and answers it through `Asking`."""

    def __init__(self, client: discord.Client, asking: Asking, cfg: DiscordConfig) -> None:
        self.client = client
        self.asking = asking
        self.auto_channels = frozenset(cfg.auto_answer_channel_ids)

    def _in_auto_channel(self, channel: object) -> bool:
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return bool(self.auto_channels & ids)

    def question_in(self, message: discord.Message) -> str | None:
        """The question text if this message is for the bot, else None."""
        me = self.client.user
        if me is None or message.author.id == me.id or message.author.bot or message.webhook_id:
            return None
        if message.type not in _ANSWERED_TYPES:
            return None
        mentioned = any(user.id == me.id for user in message.mentions)
        text = strip_mentions_of(message.content, me.id)
        if message.guild is None or mentioned:
            return text
        if self._in_auto_channel(message.channel) and looks_like_question(text):
            return text
        return None

    async def on_message(self, message: discord.Message) -> None:
        """The `on_message` event: answer, refuse politely, or stay silent."""
        text = self.question_in(message)
        if text is None:
            return
        if not text:
            self.asking.refused(text)  # an empty question, counted like any refusal
            await delivery.reply(
                message,
                render.notice_messages(
                    "Hello! Ask me a question about the Paris Call after the mention, or try `/help`."
                ),
            )
            return
        actor = actor_for(message.author)
        refusal = self.asking.check(text, actor)
        if refusal is not None:
            await self._refuse(message, refusal)
            return
        with self.asking.in_flight:
            await self._answer(message, text, actor)

    async def _answer(self, message: discord.Message, text: str, actor: Actor) -> None:
        try:
            me = self.client.user
            turns = await history.context_for(message, me.id, self.asking.core.settings.conversation) if me else ()
            result = await self.asking.serve(text, actor, turns)
        except Exception:  # counted by `asking`; the user hears about it, the log has the details
            log.exception(
                "answering a message from user %s in %s failed", message.author.id, delivery.where(message.channel)
            )
            await delivery.reply(message, render.notice_messages(delivery.SORRY))
            return
        if isinstance(result, Refusal):
            await self._refuse(message, result)
            return
        view = answer_view(result.answer, result.feedback_id)
        await delivery.reply(message, with_buttons(render.answer_messages(result.answer), view))

    async def _refuse(self, message: discord.Message, refusal: Refusal) -> None:
        if refusal.rate_limited:
            log.info("rate-limited user %s in %s", message.author.id, delivery.where(message.channel))
            await delivery.private_notice(message, refusal.text)
        else:
            await delivery.reply(message, render.notice_messages(refusal.text))


def attach_conversations(client: discord.Client, asking: Asking, cfg: DiscordConfig) -> Conversations:
    """Wire the message handler onto the client (explicitly, no subclassing)."""
    conversations = Conversations(client, asking, cfg)
    client.event(conversations.on_message)  # registered by its name, `on_message`
    return conversations

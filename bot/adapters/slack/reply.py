"""Where a conversation's replies go: public in the thread, private to the asker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.blocks import Message, notice

Respond = Callable[..., Awaitable[Any]]  # Bolt's `respond`: posts to a command's or action's response_url


@dataclass
class Reply:
    """Replies to one message: `public` in its thread (or the DM), `private` to its author.

    In a DM the whole conversation is private, so a private reply is a plain message; in a
    channel it is an ephemeral message only the author sees.
    """

    client: AsyncWebClient
    channel: str
    user: str
    thread_ts: str | None
    is_dm: bool

    async def public(self, message: Message) -> None:
        await self.client.chat_postMessage(
            channel=self.channel,
            thread_ts=self.thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.kwargs(),
        )

    async def private(self, message: Message | str) -> None:
        if isinstance(message, str):
            message = notice(message)
        if self.is_dm:
            await self.public(message)
            return
        await self.client.chat_postEphemeral(
            channel=self.channel, user=self.user, thread_ts=self.thread_ts, **message.kwargs()
        )

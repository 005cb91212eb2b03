"""A Slack conversation's earlier turns, read from Slack itself (no store of our own).

A follow-up in a thread is read with the thread (`conversations.replies`), one in a DM with
the DM's recent messages (`conversations.history`). The history is the platform's, so it
survives a restart; it is bounded by `conversation.max_turns` and by time: messages older
than `conversation.max_age_minutes` before the one that follows them end the conversation.
A new top-level mention starts a new conversation (it has no thread yet).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.mrkdwn import plain_text
from bot.config import ConversationConfig, Settings
from bot.types import Turn

log = logging.getLogger(__name__)
FETCH = 50  # messages read per conversation: enough for max_turns question/answer pairs


def _ts(message: dict[str, Any]) -> float:
    try:
        return float(message.get("ts") or 0)
    except ValueError:
        return 0.0


def is_ours(message: dict[str, Any], bot_user_id: str | None, bot_id: str | None = None) -> bool:
    """A message this bot posted (its user id, or its bot id)."""
    return bool(bot_user_id and message.get("user") == bot_user_id) or bool(bot_id and message.get("bot_id") == bot_id)


def turns_from(
    messages: Iterable[dict[str, Any]],
    before_ts: str,
    bot_user_id: str | None,
    cfg: ConversationConfig,
    bot_id: str | None = None,
) -> tuple[Turn, ...]:
    """Question/answer pairs before `before_ts`, oldest first: people's messages, each with
    the bot's reply that follows it. Walking back from the question, a gap longer than the
    time limit ends the conversation; other bots' messages are skipped."""
    if cfg.max_turns <= 0:
        return ()
    limit = cfg.max_age_minutes * 60
    now = float(before_ts)
    recent: list[dict[str, Any]] = []
    for message in sorted((m for m in messages if _ts(m) < now), key=_ts, reverse=True):
        if now - _ts(message) > limit:
            break
        recent.append(message)
        now = _ts(message)
    turns: list[Turn] = []
    for message in reversed(recent):
        text = str(message.get("text") or "")
        if is_ours(message, bot_user_id, bot_id):
            if turns and not turns[-1].answer:
                turns[-1] = Turn(turns[-1].question, text)
        elif not (message.get("bot_id") or message.get("subtype")):
            question = plain_text(text, bot_user_id)
            if question.strip():
                turns.append(Turn(question))
    return tuple(turns[-cfg.max_turns :])


async def thread_messages(client: AsyncWebClient, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """The thread's messages (its parent first), as Slack returns them."""
    response = await client.conversations_replies(channel=channel, ts=thread_ts, limit=FETCH)
    return list(response.get("messages") or [])


async def dm_messages(client: AsyncWebClient, channel: str, before_ts: str, cfg: ConversationConfig) -> list[dict]:
    """A DM's recent top-level messages before `before_ts`."""
    oldest = max(0.0, float(before_ts) - FETCH * cfg.max_age_minutes * 60)
    response = await client.conversations_history(
        channel=channel, latest=before_ts, oldest=f"{oldest:.6f}", limit=min(FETCH, 2 * cfg.max_turns + 2)
    )
    return list(response.get("messages") or [])


async def context_for(
    client: AsyncWebClient,
    event: dict[str, Any],
    bot_user_id: str | None,
    cfg: ConversationConfig,
    is_dm: bool,
    thread: list[dict[str, Any]] | None = None,
) -> tuple[Turn, ...]:
    """The earlier turns of the conversation `event` belongs to (() when it starts one, or
    when Slack cannot be read: the question is then answered on its own)."""
    if cfg.max_turns <= 0:
        return ()
    channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
    thread_ts = event.get("thread_ts")
    try:
        if thread_ts and thread_ts != ts:
            messages = thread if thread is not None else await thread_messages(client, channel, str(thread_ts))
            if not any(is_ours(m, bot_user_id) for m in messages):
                return ()  # a thread the bot has not answered in: not its conversation
        elif is_dm:
            messages = await dm_messages(client, channel, ts, cfg)
        else:
            return ()  # a new top-level mention starts a new conversation
    except Exception as err:  # a missing scope or a Slack hiccup must not cost the answer
        log.warning("could not read the conversation's history (%s); answering the question alone", err)
        return ()
    return turns_from(messages, ts, bot_user_id, cfg)


def thread_reply(settings: Settings, event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A reply without a mention in a channel thread, answered when
    `slack.answer_thread_replies` is on and the thread is the bot's (checked by `own_thread`)."""
    text = str(event.get("text") or "")
    return bool(
        settings.slack.answer_thread_replies
        and event.get("thread_ts")
        and event.get("thread_ts") != event.get("ts")
        and event.get("subtype") in (None, "thread_broadcast")
        and not (bot_user_id and f"<@{bot_user_id}>" in text)  # a mention: app_mention answers it
    )


async def own_thread(client: AsyncWebClient, event: dict[str, Any], bot_user_id: str | None) -> list[dict] | None:
    """The thread's messages when the bot has answered in it, else None."""
    try:
        messages = await thread_messages(client, str(event.get("channel", "")), str(event["thread_ts"]))
    except Exception as err:
        log.warning("could not read a thread (%s); not answering its reply", err)
        return None
    return messages if any(is_ours(m, bot_user_id) for m in messages) else None

"""Mentions in channels (answered in the thread) and direct messages (answered in the DM).

Bolt acks events before these listeners run, so the work here never delays an ack; the
duplicate check happens before the first `await`, so two deliveries of one message racing
each other still produce one answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.asking import Refusal
from bot.adapters.slack import admin, history
from bot.adapters.slack.answers import answer_message
from bot.adapters.slack.blocks import hints_for
from bot.adapters.slack.dedup import event_keys
from bot.adapters.slack.deps import SlackDeps, actor
from bot.adapters.slack.mrkdwn import plain_text
from bot.adapters.slack.reply import Reply
from bot.adapters.slack.subcommands import ADD_HINT, SORRY, bare_subcommand, render
from bot.ops.shutdown import ShuttingDown
from bot.types import Actor, Turn

log = logging.getLogger(__name__)
ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")
__all__ = ["ADD_HINT", "SORRY", "answer", "handle", "register"]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Wire `app_mention` and `message` (DMs) to the core."""

    async def on_mention(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await handle(deps, body, event, client, context, mention=True)

    async def on_message(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await handle(deps, body, event, client, context, mention=False)

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def is_from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or event.get("bot_profile")
        or (bot_user_id and event.get("user") == bot_user_id)
    )


async def handle(
    deps: SlackDeps,
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    mention: bool,
) -> None:
    """Decide whether this delivery deserves an answer, then answer it once."""
    if is_from_a_bot(event, context.bot_user_id) or not event.get("user"):
        return
    channel = str(event.get("channel", ""))
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    thread_reply = not mention and not is_dm and history.thread_reply(deps.settings, event, context.bot_user_id)
    if not mention and not thread_reply and (not is_dm or event.get("subtype") not in ANSWERED_SUBTYPES):
        return  # channel chatter, edits, deletions: only mentions are for us
    if not await asyncio.to_thread(deps.dedup.first_time, *event_keys(body, event)):  # Redis: off the loop
        log.info("duplicate delivery of %s ignored", body.get("event_id"))
        return
    thread = await history.own_thread(client, event, context.bot_user_id) if thread_reply else None
    if thread_reply and not thread:
        return  # a reply in someone else's thread
    ts = event.get("ts")
    thread_ts = event.get("thread_ts") or (None if is_dm else ts)
    reply = Reply(client, channel, str(event["user"]), thread_ts, is_dm)
    who = actor(str(event["user"]))
    text = plain_text(str(event.get("text", "")), context.bot_user_id)
    try:
        files = event.get("files") or []
        wants_add = text.split(" ", 1)[0].lower() == "add"
        if files and (is_dm or wants_add):
            await admin.add_shared_files(deps, client, who, files, reply)
        elif wants_add:
            await reply.private(ADD_HINT)
        elif (bare := bare_subcommand(text)) is not None:  # "principles", "principle 8", "sources", "help"
            message, _ = await render(deps, who, str(body.get("team_id", "")), *bare, client)
            await reply.public(message)
        else:
            turns = await history.context_for(
                client, event, context.bot_user_id, deps.settings.conversation, is_dm, thread
            )
            await answer(deps, reply, who, str(body.get("team_id", "")), text, turns)
    except Exception:
        log.exception("failed to handle a Slack message from %s", who.label())
        with contextlib.suppress(Exception):
            await reply.private(SORRY)


async def answer(
    deps: SlackDeps, reply: Reply, who: Actor, team_id: str, text: str, context: tuple[Turn, ...] = ()
) -> None:
    """Answer in public with feedback buttons; refusals (and "restarting") go privately."""
    asking = deps.asking
    try:
        with asking.answering(text):
            result = asking.check(text, who, team_id) or await asking.serve(text, who, context)
            if isinstance(result, Refusal):
                await reply.private(result.text)
                return
            message = answer_message(result.answer, text, feedback_id=result.feedback_id, hints=hints_for(deps.command))
            await reply.public(message)
    except ShuttingDown as err:
        await reply.private(str(err))

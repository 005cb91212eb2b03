"""The slash command (`/paris-call` by default) and the Share button on its answers.

Slack allows 3 seconds for the ack, so the listener acks before anything else and answers
through `respond` (ephemeral: only the user sees it). The Share button re-renders the same
subcommand and posts it in the channel, then removes the private copy. Answers (`ask`, and
shared answers) are held in flight so a graceful shutdown lets them finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import admin
from bot.adapters.slack.asking import Refusal, answering, ask
from bot.adapters.slack.blocks import (
    SHARE_ACTION,
    Message,
    answer_message,
    help_message,
    notice,
    principle_message,
    principles_message,
    sources_message,
)
from bot.adapters.slack.conversations import ADD_HINT, SORRY
from bot.adapters.slack.deps import SlackDeps, actor
from bot.adapters.slack.mrkdwn import plain_text
from bot.adapters.slack.reply import Respond
from bot.errors import CallbotError
from bot.ops.shutdown import ShuttingDown
from bot.types import Actor

log = logging.getLogger(__name__)
KNOWN = ("ask", "principles", "principle", "sources", "help", "add", "gaps", *admin.ADMIN_OPS)
SHAREABLE = ("ask", "principle")


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Wire the configured command and the Share button."""

    async def on_command(
        ack: Callable[..., Awaitable[Any]], command: dict[str, Any], respond: Respond, client: AsyncWebClient
    ) -> None:
        await ack()
        await handle_command(deps, command, respond, client)

    async def on_share(
        ack: Callable[..., Awaitable[Any]], body: dict[str, Any], respond: Respond, client: AsyncWebClient
    ) -> None:
        await ack()
        await handle_share(deps, body, respond, client)

    app.command(deps.command)(on_command)
    app.action(SHARE_ACTION)(on_share)


def parse(text: str) -> tuple[str, str]:
    """(subcommand, rest); text that starts with no known subcommand is a question."""
    words = plain_text(text)
    sub, _, rest = words.partition(" ")
    if sub.lower() in KNOWN:
        return sub.lower(), rest.strip()
    return ("ask", words) if words else ("help", "")


async def handle_command(deps: SlackDeps, command: dict[str, Any], respond: Respond, client: AsyncWebClient) -> None:
    sub, rest = parse(str(command.get("text", "")))
    who = actor(str(command.get("user_id", "")), str(command.get("user_name", "")))
    team = str(command.get("team_id", ""))
    try:
        if sub in admin.ADMIN_OPS:
            await run_admin(deps, who, sub, rest, respond, client)
            return
        if sub == "gaps":
            await respond(response_type="ephemeral", **(await admin.gaps(deps, client, who, rest)).kwargs())
            return
        with answering(deps, rest) if sub == "ask" else contextlib.nullcontext():
            message, _ = await render(deps, who, team, sub, rest, client, share=deps.settings.slack.share_button)
            await respond(response_type="ephemeral", **message.kwargs())
    except ShuttingDown as err:
        await respond(response_type="ephemeral", **notice(str(err)).kwargs())
    except Exception:
        log.exception("slash command %r failed for %s", sub, who.label())
        with contextlib.suppress(Exception):
            await respond(response_type="ephemeral", **notice(SORRY).kwargs())


async def render(
    deps: SlackDeps,
    who: Actor,
    team: str,
    sub: str,
    rest: str,
    client: AsyncWebClient,
    *,
    share: bool = False,
    shared_by: str = "",
) -> tuple[Message, bool]:
    """The message for a read-only subcommand, and whether it is a real answer (shareable)."""
    core = deps.core
    if sub == "principles":
        return principles_message(await asyncio.to_thread(core.principles), deps.command), True
    if sub == "principle":
        try:
            number = int(rest)
            principle = await asyncio.to_thread(core.principle, number)
        except ValueError:
            return notice(f"Which principle? Give a number, e.g. `{deps.command} principle 8`."), False
        except CallbotError as err:
            return notice(str(err)), False
        value = f"principle {number}" if share else None
        return principle_message(principle, share_value=value, shared_by=shared_by), True
    if sub == "sources":
        sources = await asyncio.to_thread(core.sources)
        return sources_message(sources, core.index_version), True
    if sub == "add":
        return notice(ADD_HINT), False
    if sub == "ask":
        if not rest:
            return notice(f"Ask a question after `ask`, e.g. `{deps.command} ask Who launched the Paris Call?`"), False
        result = await ask(deps, who, team, rest)
        if isinstance(result, Refusal):
            return notice(result), False
        return answer_message(
            result.answer,
            rest,
            share_value=f"ask {rest}" if share else None,
            shared_by=shared_by,
            feedback_id=result.feedback_id,
        ), True
    is_admin = await deps.admins.is_admin(client, who.user_id)
    return help_message(deps.command, admin=is_admin), False


async def run_admin(deps: SlackDeps, who: Actor, op: str, arg: str, respond: Respond, client: AsyncWebClient) -> None:
    if not await deps.admins.is_admin(client, who.user_id):
        await respond(response_type="ephemeral", **notice(await admin.refuse(deps.knowledge, who, op, arg)).kwargs())
        return
    await respond(response_type="ephemeral", **notice(f"Running {op}… I will post the result here.").kwargs())
    text = await admin.run_op(deps.knowledge, who, op, arg)
    log.info("slack admin %s by %s: %s", op, who.label(), text)
    await respond(response_type="ephemeral", **notice(text).kwargs())


async def handle_share(deps: SlackDeps, body: dict[str, Any], respond: Respond, client: AsyncWebClient) -> None:
    """Post the answer behind a Share button in the channel, then delete the private copy."""
    user = str(body.get("user", {}).get("id", ""))
    who = actor(user, str(body.get("user", {}).get("username", "")))
    value = str((body.get("actions") or [{}])[0].get("value", ""))
    sub, _, rest = value.partition(" ")
    team = str(body.get("team", {}).get("id", "") or body.get("user", {}).get("team_id", ""))
    try:
        if sub not in SHAREABLE:
            expired = notice("That button has expired.")
            await respond(response_type="ephemeral", replace_original=False, **expired.kwargs())
            return
        with answering(deps, rest) if sub == "ask" else contextlib.nullcontext():
            message, ok = await render(deps, who, team, sub, rest, client, shared_by=user)
            if not ok:
                await respond(response_type="ephemeral", replace_original=False, **message.kwargs())
                return
            await respond(response_type="in_channel", replace_original=False, **message.kwargs())
            await respond(delete_original=True)
    except ShuttingDown as err:
        await respond(response_type="ephemeral", replace_original=False, **notice(str(err)).kwargs())
    except Exception:
        log.exception("sharing failed for %s", who.label())
        with contextlib.suppress(Exception):
            await respond(response_type="ephemeral", replace_original=False, **notice(SORRY).kwargs())

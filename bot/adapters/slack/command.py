"""The slash command (`/paris-call` by default) and the Share button on its answers.

Slack allows 3 seconds for the ack, so the listener acks before anything else and answers
through `respond` (ephemeral: only the user sees it). The Share button re-renders the same
subcommand and posts it in the channel, then removes the private copy. Answers (`ask`, and
shared answers) are held in flight so a graceful shutdown lets them finish.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import admin
from bot.adapters.slack.blocks import SHARE_ACTION, notice
from bot.adapters.slack.deps import SlackDeps, actor
from bot.adapters.slack.reply import Respond
from bot.adapters.slack.subcommands import KNOWN, SHAREABLE, SORRY, parse, render
from bot.ops.shutdown import ShuttingDown
from bot.types import Actor

log = logging.getLogger(__name__)
__all__ = ["KNOWN", "SHAREABLE", "handle_command", "handle_share", "parse", "register"]


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
        with deps.asking.answering(rest) if sub == "ask" else contextlib.nullcontext():
            message, _ = await render(deps, who, team, sub, rest, client, share=deps.settings.slack.share_button)
            await respond(response_type="ephemeral", **message.kwargs())
    except ShuttingDown as err:
        await respond(response_type="ephemeral", **notice(str(err)).kwargs())
    except Exception:
        log.exception("slash command %r failed for %s", sub, who.label())
        with contextlib.suppress(Exception):
            await respond(response_type="ephemeral", **notice(SORRY).kwargs())


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
        with deps.asking.answering(rest) if sub == "ask" else contextlib.nullcontext():
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

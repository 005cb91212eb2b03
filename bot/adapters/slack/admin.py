"""Admin-only work: who is an admin, the knowledge operations, documents shared as files,
and the knowledge gaps people ran into.

Every knowledge operation blocks (it may rebuild the index), so it runs in a worker thread
and the event loop keeps acking other requests. A refused attempt changes nothing, is logged
and recorded in the core's audit log, and is answered privately. `gaps` only reads, so a
refusal there is logged but not audited.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.blocks import Message, gaps_message, notice
from bot.adapters.slack.files import fetch_shared_file
from bot.config import SlackConfig
from bot.errors import CallbotError
from bot.knowledge.wiring import knowledge_ops
from bot.types import Actor

if TYPE_CHECKING:
    from bot.adapters.slack.deps import SlackDeps
    from bot.adapters.slack.reply import Reply
    from bot.core import BotCore

log = logging.getLogger(__name__)
ADMIN_OPS = ("reindex", "remove", "rollback")
GAPS_DEFAULT, GAPS_MAX = 15, 45  # groups shown; 45 sections fit one message with its header
# Slack subcommand -> (the core's audit-log action, what a refusal says they may not do)
AUDIT_ACTIONS = {
    "add": ("add", "add documents"),
    "reindex": ("build", "rebuild the index"),
    "remove": ("remove", "remove documents"),
    "rollback": ("rollback", "roll the index back"),
}


class AdminCheck:
    """Config user ids are admins; optionally workspace admins and owners too (`users.info`)."""

    def __init__(self, config: SlackConfig, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ids = set(config.admin_user_ids)
        self._workspace = config.workspace_admins_are_admins
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[bool, float]] = {}

    async def is_admin(self, client: AsyncWebClient, user_id: str) -> bool:
        if user_id in self._ids:
            return True
        if not self._workspace or not user_id:
            return False
        cached = self._cache.get(user_id)
        if cached and cached[1] > self._clock():
            return cached[0]
        try:
            user: dict[str, Any] = (await client.users_info(user=user_id))["user"]
        except SlackApiError as err:
            log.warning("users.info failed for %s (%s); treating as not an admin", user_id, err.response.get("error"))
            return False
        verdict = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._cache[user_id] = (verdict, self._clock() + self._ttl)
        return verdict


async def refuse(core: "BotCore", who: Actor, op: str, target: str = "") -> str:
    """Log and audit a non-admin attempt (`op`: add or one of ADMIN_OPS); the private reply."""
    action, phrase = AUDIT_ACTIONS[op]
    reason = "not a bot admin"
    log.warning("refused Slack %s %r for %s: %s", op, target, who.label(), reason)
    try:
        await asyncio.to_thread(knowledge_ops(core).record_refusal, who, action, reason, target)
    except Exception:  # the refusal stands even if the audit log is unavailable
        log.exception("could not record the refusal in the audit log")
    return f"Only the bot's admins can {phrase}; nothing was changed."


async def run_op(core: "BotCore", who: Actor, op: str, arg: str = "") -> str:
    """Run reindex / remove DOC / rollback in a worker thread; the sentence for chat."""
    knowledge = knowledge_ops(core)
    if op == "reindex":
        call: Callable[[], Any] = lambda: knowledge.rebuild(who)
    elif op == "remove":
        if not arg:
            return "Which document? Use `remove DOC` with a document id from `sources`."
        call = lambda: knowledge.remove(arg, who)
    elif op == "rollback":
        call = lambda: knowledge.rollback(who)
    else:  # pragma: no cover - callers pass ADMIN_OPS only
        raise ValueError(op)
    try:
        report = await asyncio.to_thread(call)
    except CallbotError as err:
        return str(err)
    return report.message


async def add_shared_files(deps: "SlackDeps", client: AsyncWebClient, who: Actor, files: list[dict[str, Any]],
                           reply: "Reply") -> None:
    """Add each shared file through the core (validated, then rebuilt); say what happened to each."""
    if not await deps.admins.is_admin(client, who.user_id):
        names = ", ".join(str(f.get("name") or f.get("id", "")) for f in files)
        await reply.private(await refuse(deps.core, who, "add", names))
        return
    limits, api = deps.settings.limits, deps.settings.slack.api_base_url
    for shared in files:
        file_id = str(shared.get("id", ""))
        try:
            name, data = await fetch_shared_file(client, file_id, limits.max_document_bytes, api)
            report = await asyncio.to_thread(knowledge_ops(deps.core).add_bytes, name, data, who)
        except CallbotError as err:
            text = f"I did not add {shared.get('name') or file_id}: {err}"
            log.info("slack add_document %s by %s refused: %s", file_id, who.label(), err)
            await reply.private(text)
            continue
        log.info("slack add_document %s by %s: %s", file_id, who.label(), report.message)
        await reply.public(notice(report.message))


async def gaps(deps: "SlackDeps", client: AsyncWebClient, who: Actor, arg: str = "") -> Message:
    """`gaps [N]` for admins: the N most frequent groups of badly answered questions."""
    if not await deps.admins.is_admin(client, who.user_id):
        log.warning("refused Slack gaps for %s: not a bot admin", who.label())
        return notice("Only the bot's admins can see the knowledge gaps.")
    if deps.ops is None:
        return notice("Feedback is not recorded by this bot, so there are no gaps to show.")
    try:
        limit = min(max(int(arg), 1), GAPS_MAX) if arg else GAPS_DEFAULT
    except ValueError:
        return notice(f"Use `{deps.command} gaps` or `{deps.command} gaps N` with a number of groups.")
    found = await asyncio.to_thread(deps.ops.feedback.gaps, deps.core.embedder, limit)
    log.info("slack gaps by %s: %d groups", who.label(), len(found))
    return gaps_message(found, deps.command)

"""Admin-only work: the knowledge operations, documents shared as files, and the knowledge
gaps people ran into (who is an admin: `admin_check`).

Every knowledge operation blocks (it may rebuild the index), so it runs in a worker thread
and the event loop keeps acking other requests. A refused attempt changes nothing, is logged
and recorded in the audit log, and is answered privately; so is a refused `gaps`, as on
Discord (both go through `bot.adapters.asking.audit_refusal`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.asking import audit_refusal
from bot.adapters.slack.blocks import Message, gaps_message, notice
from bot.adapters.slack.files import fetch_shared_file
from bot.errors import CallbotError
from bot.ops.feedback import FeedbackUnavailableError
from bot.types import Actor

if TYPE_CHECKING:
    from bot.adapters.slack.deps import SlackDeps
    from bot.adapters.slack.reply import Reply
    from bot.knowledge.operations import KnowledgeOps

log = logging.getLogger(__name__)
ADMIN_OPS = ("reindex", "remove", "rollback")
GAPS_DEFAULT, GAPS_MAX = 15, 45  # groups shown; 45 sections fit one message with its header
# Slack subcommand -> (the audit log's action, what a refusal says they may not do)
AUDIT_ACTIONS = {
    "add": ("add", "add documents"),
    "reindex": ("build", "rebuild the index"),
    "remove": ("remove", "remove documents"),
    "rollback": ("rollback", "roll the index back"),
    "gaps": ("gaps", "see the knowledge gaps"),
}


async def refuse(knowledge: KnowledgeOps, who: Actor, op: str, target: str = "") -> str:
    """Log and audit a non-admin attempt (`op`: add or one of ADMIN_OPS); the private reply."""
    action, phrase = AUDIT_ACTIONS[op]
    await audit_refusal(knowledge, who, action, "not a bot admin", target)
    if op == "gaps":
        return f"Only the bot's admins can {phrase}."
    return f"Only the bot's admins can {phrase}; nothing was changed."


async def run_op(knowledge: KnowledgeOps, who: Actor, op: str, arg: str = "") -> str:
    """Run reindex / remove DOC / rollback in a worker thread; the sentence for chat."""
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


async def add_shared_files(
    deps: SlackDeps, client: AsyncWebClient, who: Actor, files: list[dict[str, Any]], reply: Reply
) -> None:
    """Add each shared file through the core (validated, then rebuilt); say what happened to each."""
    if not await deps.admins.is_admin(client, who.user_id):
        names = ", ".join(str(f.get("name") or f.get("id", "")) for f in files)
        await reply.private(await refuse(deps.knowledge, who, "add", names))
        return
    limits, api = deps.settings.limits, deps.settings.slack.api_base_url
    for shared in files:
        file_id = str(shared.get("id", ""))
        try:
            name, data = await fetch_shared_file(client, file_id, limits.max_document_bytes, api)
            report = await asyncio.to_thread(deps.knowledge.add_bytes, name, data, who)
        except CallbotError as err:
            text = f"I did not add {shared.get('name') or file_id}: {err}"
            log.info("slack add_document %s by %s refused: %s", file_id, who.label(), err)
            await reply.private(text)
            continue
        log.info("slack add_document %s by %s: %s", file_id, who.label(), report.message)
        await reply.public(notice(report.message))


async def gaps(deps: SlackDeps, client: AsyncWebClient, who: Actor, arg: str = "") -> Message:
    """`gaps [N]` for admins: the N most frequent groups of badly answered questions."""
    if not await deps.admins.is_admin(client, who.user_id):
        return notice(await refuse(deps.knowledge, who, "gaps"))
    if deps.ops is None:
        return notice("Feedback is not recorded by this bot, so there are no gaps to show.")
    try:
        limit = min(max(int(arg), 1), GAPS_MAX) if arg else GAPS_DEFAULT
    except ValueError:
        return notice(f"Use `{deps.command} gaps` or `{deps.command} gaps N` with a number of groups.")
    try:
        found = await asyncio.to_thread(deps.ops.feedback.gaps, deps.core.embedder, limit)
    except FeedbackUnavailableError as err:
        log.warning("slack gaps by %s: %s", who.label(), err)
        return notice("The feedback database is busy just now; please try again in a moment.")
    log.info("slack gaps by %s: %d groups", who.label(), len(found))
    return gaps_message(found, deps.command)

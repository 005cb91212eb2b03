"""The read-only subcommands (`principles`, `principle N`, `sources`, `help`, `ask`), alike
from the slash command, a mention or a DM, rendered for Slack.

The slash command reads its first word as a subcommand; a mention or a DM counts as one only
when it is nothing but the subcommand ("principles", "principle 8", "sources?", "help"), so
"principles of the Call on elections?" stays a question. What is shared with Discord
(rate limit, refusal, the principle with its passages) is in `bot.adapters.asking`.
"""

from __future__ import annotations

import asyncio
import re

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.asking import Refusal
from bot.adapters.slack import admin
from bot.adapters.slack.answers import answer_message, principle_message
from bot.adapters.slack.blocks import Message, help_message, hints_for, notice, principles_message, sources_message
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.mrkdwn import plain_text
from bot.types import Actor

KNOWN = ("ask", "principles", "principle", "sources", "help", "add", "gaps", *admin.ADMIN_OPS)
SHAREABLE = ("ask", "principle")
READ_ONLY = ("principles", "principle", "sources", "help")
ADD_HINT = "To add a document, share the file with me in a direct message, or mention me with `add` and attach it."
SORRY = "Sorry, something went wrong while answering; please try again in a moment."
_BARE = re.compile(r"(?P<sub>principles|sources|help|principle\s+(?P<n>\d{1,3}))\s*[?.!]*", re.IGNORECASE)


def parse(text: str) -> tuple[str, str]:
    """(subcommand, rest); text that starts with no known subcommand is a question."""
    words = plain_text(text)
    sub, _, rest = words.partition(" ")
    if sub.lower() in KNOWN:
        return sub.lower(), rest.strip()
    return ("ask", words) if words else ("help", "")


def bare_subcommand(text: str) -> tuple[str, str] | None:
    """A mention or DM that is only a read-only subcommand: (subcommand, its argument)."""
    match = _BARE.fullmatch(text.strip())
    if match is None:
        return None
    if match["n"] is not None:
        return "principle", match["n"]
    return match["sub"].lower(), ""


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
    core, hints = deps.core, hints_for(deps.command)
    if sub == "principles":
        return principles_message(await asyncio.to_thread(core.principles), deps.command), True
    if sub == "principle":
        try:
            number = int(rest)
        except ValueError:
            return notice(f"Which principle? Give a number, e.g. `{deps.command} principle 8`."), False
        shown = await deps.asking.principle(number, who)
        if isinstance(shown, Refusal):
            return notice(shown.text), False
        value = f"principle {number}" if share else None
        return principle_message(
            shown.principle, share_value=value, shared_by=shared_by, answer=shown.answer, hints=hints
        ), True
    if sub == "sources":
        sources = await asyncio.to_thread(core.sources)
        return sources_message(sources, core.index_version), True
    if sub == "add":
        return notice(ADD_HINT), False
    if sub == "ask":
        if not rest:
            return notice(f"Ask a question after `ask`, e.g. `{deps.command} ask Who launched the Paris Call?`"), False
        refusal = deps.asking.check(rest, who, team)
        result = refusal or await deps.asking.serve(rest, who)
        if isinstance(result, Refusal):
            return notice(result.text), False
        return answer_message(
            result.answer,
            rest,
            share_value=f"ask {rest}" if share else None,
            shared_by=shared_by,
            feedback_id=result.feedback_id,
            hints=hints,
        ), True
    is_admin = await deps.admins.is_admin(client, who.user_id)
    return help_message(deps.command, admin=is_admin), False

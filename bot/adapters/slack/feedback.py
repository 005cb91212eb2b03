"""Clicks on the helpful / not helpful buttons every answer carries.

The click is acked at once (Slack allows 3 seconds), the vote is stored off the event loop,
and only the voter sees the acknowledgement: a new ephemeral message, never a replacement
of the answer, which others may be reading. The store keys votes by (answer, user), so
repeated clicks count once and the other button changes the vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from bot.adapters.slack import PLATFORM
from bot.adapters.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, notice
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.reply import Respond
from bot.ops.feedback import FeedbackUnavailableError

log = logging.getLogger(__name__)
MAX_ANSWER_ID = 64  # ids are 12 characters; anything longer did not come from us
NOT_SAVED = "Sorry — I could not save your vote just now; please try again later."


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Wire both buttons; without a feedback store there are no buttons to click."""
    if deps.ops is None:
        return

    async def on_vote(
        ack: Callable[..., Awaitable[Any]], body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        await ack()
        await handle_vote(deps, body, action, respond)

    app.action(FEEDBACK_UP)(on_vote)
    app.action(FEEDBACK_DOWN)(on_vote)


async def handle_vote(deps: SlackDeps, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
    """Store one click and tell the voter, privately, what was noted."""
    assert deps.ops is not None
    user = str((body.get("user") or {}).get("id", ""))
    answer_id = str(action.get("value", ""))[:MAX_ANSWER_ID]
    helpful = action.get("action_id") == FEEDBACK_UP
    store = deps.ops.feedback
    try:
        text = await asyncio.wrap_future(store.submit(store.vote, answer_id, PLATFORM, user, helpful))
    except FeedbackUnavailableError as err:
        log.warning("%s; the voter was asked to try again", err)
        text = NOT_SAVED
    except Exception:
        log.exception("could not store a feedback vote")
        text = NOT_SAVED
    with contextlib.suppress(Exception):
        await respond(response_type="ephemeral", replace_original=False, **notice(text).kwargs())

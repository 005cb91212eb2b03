"""The "Show passages" button under an answer: its supporting passages, to who clicked.

The button's value holds the passages' keys (`render.common.passage_key`), so a click works
after a restart and after a rebuild that kept their text; the passages come from the
serving index (`Asking.passages`). The reply is ephemeral and never replaces the answer,
which others may be reading.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from bot.adapters.slack.answers import passages_message
from bot.adapters.slack.blocks import PASSAGES_ACTION, hints_for
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.reply import Respond

log = logging.getLogger(__name__)
MAX_KEYS = 2  # the button names at most two passages; anything more did not come from us


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def on_passages(ack: Callable[..., Awaitable[Any]], action: dict[str, Any], respond: Respond) -> None:
        await ack()
        await handle_passages(deps, action, respond)

    app.action(PASSAGES_ACTION)(on_passages)


async def handle_passages(deps: SlackDeps, action: dict[str, Any], respond: Respond) -> None:
    """Post the passages named by the clicked button privately (a polite line if none is left)."""
    keys = [k for k in str(action.get("value", "")).split(",") if k][:MAX_KEYS]
    passages = deps.asking.passages(keys)
    message = passages_message(passages, hints_for(deps.command))
    with contextlib.suppress(Exception):
        await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

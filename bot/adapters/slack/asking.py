"""One question to the core, shared by mentions, DMs, `/paris-call ask` and the Share button."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.errors import QuestionError
from bot.types import Actor, Answer, Question

if TYPE_CHECKING:
    from bot.adapters.slack.deps import SlackDeps

log = logging.getLogger(__name__)


class Refusal(str):
    """A polite private sentence instead of an answer (rate limit, empty or too long)."""


async def ask(deps: "SlackDeps", who: Actor, team_id: str, text: str) -> Answer | Refusal:
    """The core's answer, or why there is none; the core runs off the event loop."""
    wait = deps.limiter.check(f"{team_id}:{who.user_id}")
    if wait > 0:
        log.info("rate limited %s for %.0f s", who.label(), wait)
        return Refusal(deps.limiter.notice(wait))
    try:
        return await deps.core.ask_async(Question(text, who))
    except QuestionError as err:
        return Refusal(str(err))

"""One question to the core, shared by mentions, DMs, `/paris-call ask` and the Share button.

Each answer is held "in flight" from the question to the post, so a graceful shutdown waits
for it; and it is recorded in the feedback store before it is posted, because its buttons
carry the id the store hands out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.adapters.slack import PLATFORM
from bot.errors import QuestionError
from bot.ops.feedback import FeedbackUnavailableError
from bot.ops.shutdown import ShuttingDown
from bot.types import Actor, Answer, Question, Turn

if TYPE_CHECKING:
    from bot.adapters.slack.deps import SlackDeps

log = logging.getLogger(__name__)


class Refusal(str):
    """A polite private sentence instead of an answer (rate limit, empty or too long)."""


@dataclass(frozen=True)
class Served:
    """An answer to post, and the feedback id its buttons carry (None: post without them)."""

    answer: Answer
    feedback_id: str | None


@contextmanager
def answering(deps: SlackDeps, text: str) -> Iterator[None]:
    """Hold one answer in flight; raises ShuttingDown (counted as refused) once stopping."""
    with ExitStack() as held:
        try:
            held.enter_context(deps.in_flight)
        except ShuttingDown:
            deps.refused(text)
            raise
        yield


async def ask(deps: SlackDeps, who: Actor, team_id: str, text: str, context: tuple[Turn, ...] = ()) -> Served | Refusal:
    """The core's answer, or why there is none; the core runs off the event loop. `context`:
    the conversation's earlier turns (a thread's, a DM's), for follow-ups."""
    wait = deps.limiter.check(f"{team_id}:{who.user_id}")
    if wait > 0:
        log.info("rate limited %s for %.0f s", who.label(), wait)
        deps.refused(text)
        return Refusal(deps.limiter.notice(wait))
    started = time.monotonic()
    try:
        answer = await deps.core.ask_async(Question(text, who, context=context))
    except QuestionError as err:
        deps.refused(text)
        return Refusal(str(err))
    except Exception:
        deps.failed(text, time.monotonic() - started)
        raise
    return Served(answer, await record(deps, answer, who.user_id))


async def record(deps: SlackDeps, answer: Answer, user_id: str) -> str | None:
    """Store the answer for feedback; None (no buttons) without ops, for a reply to small talk
    (nothing to rate, no gap to report) or when the store fails."""
    if deps.ops is None or not answer.searched:
        return None
    store = deps.ops.feedback
    try:
        return await asyncio.wrap_future(store.submit(store.record_answer, answer, PLATFORM, user_id))
    except FeedbackUnavailableError as err:
        log.warning("%s; posting the answer without feedback buttons", err)
        return None
    except Exception:  # a feedback database problem must not cost anyone their answer
        log.exception("could not record an answer for feedback; posting it without buttons")
        return None

"""The one path every question takes, from a mention, a DM or `/ask`.

Checks first (shutting down, question text, then the per-user rate limit), so a refusal
can be sent privately before an interaction is deferred; then the core answers off the
event loop. The core's listeners count answered and declined questions; what the core
never sees (refusals) or never finishes (errors) is reported to `ops` here, so every
question gets exactly one outcome in the metrics and the question log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import discord

from bot.adapters.discord import PLATFORM
from bot.core import BotCore, clean_question
from bot.errors import QuestionError
from bot.ops.shutdown import InFlight, ShuttingDown
from bot.ops.wiring import OpsKit
from bot.ratelimit import RateLimiter
from bot.types import Actor, Answer, Question, Turn


@dataclass(frozen=True)
class Refusal:
    """Why a question is not answered; `rate_limited` notices are shown privately."""

    text: str
    rate_limited: bool = False


def actor_for(user: discord.abc.User) -> Actor:
    """The neutral Actor for a Discord user (id for limits and audit, name for logs)."""
    return Actor(PLATFORM, str(user.id), user.name)


class Asker:
    """Validates, rate-limits, answers and accounts for questions from every Discord entry point."""

    def __init__(self, core: BotCore, ops: OpsKit, limiter: RateLimiter | None = None) -> None:
        limits = core.settings.limits
        self.core = core
        self.ops = ops
        self.max_chars = limits.max_question_chars
        self.limiter = limiter or RateLimiter(limits.rate_limit_questions, limits.rate_limit_seconds)

    @property
    def in_flight(self) -> InFlight:
        """Wrap answering *and* sending in it, so a shutdown waits for the reply to go out.
        Entered right after a successful `check` (nothing awaited in between) it cannot
        refuse: `check` has just seen it accepting."""
        return self.ops.in_flight

    def check(self, text: str, actor: Actor) -> Refusal | None:
        """None if the question may be asked now; counts it against the user's rate limit."""
        refusal = self._refusal(text, actor)
        if refusal is not None:
            self.refused(text)
        return refusal

    def _refusal(self, text: str, actor: Actor) -> Refusal | None:
        if not self.in_flight.accepting:  # first: a restart must not use up anyone's rate limit
            return Refusal(str(ShuttingDown()))
        try:
            clean_question(text, self.max_chars)
        except QuestionError as err:
            return Refusal(str(err))
        wait = self.limiter.check(f"{actor.platform}:{actor.user_id}")
        if wait > 0:
            return Refusal(self.limiter.notice(wait), rate_limited=True)
        return None

    def refused(self, text: str) -> None:
        """Count a question turned away before the core (metrics and question log)."""
        self.ops.refused(PLATFORM, text)

    async def answer(self, text: str, actor: Actor, context: tuple[Turn, ...] = ()) -> Answer | Refusal:
        """The core's answer, computed off the event loop (the gateway heartbeat never waits).

        An unexpected error is counted and re-raised: the caller tells the user. `context`:
        the conversation's earlier turns (a reply chain's, a thread's, a DM's), for follow-ups.
        """
        started = time.monotonic()
        try:
            return await self.core.ask_async(Question(text, actor, context=context))
        except QuestionError as err:
            self.refused(text)
            return Refusal(str(err))
        except Exception:
            self.ops.failed(PLATFORM, text, time.monotonic() - started)
            raise

"""The one path every question takes, from a mention, a DM or `/ask`.

Checks first (question text, then the per-user rate limit), so a refusal can be sent
privately before an interaction is deferred; then the core answers off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.core import BotCore, clean_question
from bot.errors import QuestionError
from bot.ratelimit import RateLimiter
from bot.types import Actor, Answer, Question


@dataclass(frozen=True)
class Refusal:
    """Why a question is not answered; `rate_limited` notices are shown privately."""

    text: str
    rate_limited: bool = False


def actor_for(user: discord.abc.User) -> Actor:
    """The neutral Actor for a Discord user (id for limits and audit, name for logs)."""
    return Actor("discord", str(user.id), user.name)


class Asker:
    """Validates, rate-limits and answers questions for every Discord entry point."""

    def __init__(self, core: BotCore, limiter: RateLimiter | None = None) -> None:
        limits = core.settings.limits
        self.core = core
        self.max_chars = limits.max_question_chars
        self.limiter = limiter or RateLimiter(limits.rate_limit_questions, limits.rate_limit_seconds)

    def check(self, text: str, actor: Actor) -> Refusal | None:
        """None if the question may be asked now; counts it against the user's rate limit."""
        try:
            clean_question(text, self.max_chars)
        except QuestionError as err:
            return Refusal(str(err))
        wait = self.limiter.check(f"{actor.platform}:{actor.user_id}")
        if wait > 0:
            return Refusal(self.limiter.notice(wait), rate_limited=True)
        return None

    async def answer(self, text: str, actor: Actor) -> Answer | Refusal:
        """The core's answer, computed off the event loop (the gateway heartbeat never waits)."""
        try:
            return await self.core.ask_async(Question(text, actor))
        except QuestionError as err:
            return Refusal(str(err))

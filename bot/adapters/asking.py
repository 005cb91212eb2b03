"""What every chat platform does around asking the core, in one place.

Before: the shutting-down check (first, so a restart uses up nobody's rate limit), the
question's text, the per-person rate limit. Then the core answers off the event loop, the
answer is recorded for the helpful / not helpful buttons, and every question gets exactly
one outcome in the metrics and the question log: the core's listeners count answered and
declined ones, this module the ones the core never sees (refusals) or never finishes
(errors). Refused admin commands are audited here too, so both platforms audit alike.

Each platform keeps only event-in and message-out: it calls `check`, holds `in_flight`
while it answers *and* sends, and renders what `serve` / `principle` return.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core import BotCore, clean_question
from bot.errors import QuestionError
from bot.ops.feedback import FeedbackUnavailableError
from bot.ops.shutdown import InFlight, ShuttingDown
from bot.ratelimit import RateLimiter
from bot.render.common import find_passages
from bot.storage.redis_state import rate_limiter
from bot.types import Actor, Answer, Principle, Question, ScoredPassage, Turn

if TYPE_CHECKING:
    from bot.knowledge.operations import KnowledgeOps
    from bot.ops.wiring import OpsKit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """Why a question is not answered: one polite sentence; `rate_limited` ones are shown
    privately (the others may be too, at the platform's choice)."""

    text: str
    rate_limited: bool = False


@dataclass(frozen=True)
class Served:
    """An answer to post, and the feedback id its buttons carry (None: post without them)."""

    answer: Answer
    feedback_id: str | None = None


@dataclass(frozen=True)
class PrincipleShown:
    """One principle's wording, and the answer listing the passages that discuss it (None
    when the search failed: the wording alone is still worth showing)."""

    principle: Principle
    answer: Answer | None


class Asking:
    """Validates, rate-limits, answers, records and accounts for one platform's questions.

    `ops` is None for a bare adapter a harness drives: no metrics, no feedback buttons.
    """

    def __init__(
        self,
        core: BotCore,
        ops: OpsKit | None,
        platform: str,
        limiter: RateLimiter | None = None,
        in_flight: InFlight | None = None,
    ) -> None:
        limits = core.settings.limits
        self.core = core
        self.ops = ops
        self.platform = platform
        self.max_chars = limits.max_question_chars
        self.limiter = limiter or rate_limiter(core.settings)  # shared through Redis when configured
        self._in_flight = in_flight or (ops.in_flight if ops is not None else InFlight())

    @property
    def in_flight(self) -> InFlight:
        """Wrap answering *and* sending in it, so a shutdown waits for the reply to go out.
        Entered right after a successful `check` (nothing awaited in between) it cannot
        refuse: `check` has just seen it accepting."""
        return self._in_flight

    def check(self, text: str, actor: Actor, scope: str = "") -> Refusal | None:
        """None if the question may be asked now (it then counts against the person's rate
        limit); else the refusal, already counted. `scope` keys the limit (Slack: the team)."""
        refusal = self._refusal(text, actor, scope or actor.platform)
        if refusal is not None:
            self.refused(text)
            if refusal.rate_limited:
                log.info("rate limited %s", actor.label())
        return refusal

    def _refusal(self, text: str, actor: Actor, scope: str) -> Refusal | None:
        if not self.in_flight.accepting:
            return Refusal(str(ShuttingDown()))
        try:
            clean_question(text, self.max_chars)
        except QuestionError as err:
            return Refusal(str(err))
        wait = self.limiter.check(f"{scope}:{actor.user_id}")
        if wait > 0:
            return Refusal(self.limiter.notice(wait), rate_limited=True)
        return None

    @contextmanager
    def answering(self, text: str) -> Iterator[None]:
        """Hold one answer in flight; raises ShuttingDown (counted as refused) once stopping.
        For a platform that enters before `check`, so the check cannot race a shutdown."""
        with ExitStack() as held:
            try:
                held.enter_context(self.in_flight)
            except ShuttingDown:
                self.refused(text)
                raise
            yield

    def refused(self, text: str | None) -> None:
        """Count a question turned away before the core (metrics and question log)."""
        if self.ops is not None:
            self.ops.refused(self.platform, text)

    def failed(self, text: str, seconds: float) -> None:
        if self.ops is not None:
            self.ops.failed(self.platform, text, seconds)

    async def answer(self, text: str, actor: Actor, context: tuple[Turn, ...] = ()) -> Answer | Refusal:
        """The core's answer, computed off the event loop. An unexpected error is counted
        and re-raised: the caller tells the person. `context`: the conversation's earlier
        turns (a reply chain's, a thread's, a DM's), for follow-ups."""
        started = time.monotonic()
        try:
            answer = await self.core.ask_async(Question(text, actor, context=context))
        except QuestionError as err:
            self.refused(text)
            return Refusal(str(err))
        except Exception:
            self.failed(text, time.monotonic() - started)
            raise
        log.info("asked by %s: %s (index version %s)", actor.label(), answer.outcome, answer.index_version)
        return answer

    async def serve(self, text: str, actor: Actor, context: tuple[Turn, ...] = ()) -> Served | Refusal:
        """`answer`, then recorded for feedback (its id goes into the vote buttons)."""
        result = await self.answer(text, actor, context)
        if isinstance(result, Refusal):
            return result
        return Served(result, await self.record(result, actor.user_id))

    async def record(self, answer: Answer, user_id: str) -> str | None:
        """Store the answer for feedback; None (no buttons) without ops, for a reply to small
        talk (nothing to rate, no gap to report) or when the store fails: a feedback database
        problem must never cost anyone their answer."""
        if self.ops is None or not answer.searched:
            return None
        store = self.ops.feedback
        try:
            return await asyncio.wrap_future(store.submit(store.record_answer, answer, self.platform, user_id))
        except FeedbackUnavailableError as err:
            log.warning("%s; sending the answer without feedback buttons", err)
        except Exception:
            log.exception("could not record an answer for feedback; sending it without buttons")
        return None

    def no_such_principle(self, number: int) -> Refusal | None:
        """Why principle `number` cannot be shown ("The Call has 9 principles ..."), or None."""
        try:
            self.core.principle(number)
        except QuestionError as err:
            return Refusal(str(err))
        return None

    async def principle(self, number: int, actor: Actor) -> PrincipleShown | Refusal:
        """Principle `number` with the passages that discuss it, alike on every platform."""
        try:
            chosen = self.core.principle(number)
        except QuestionError as err:
            return Refusal(str(err))
        try:
            answer: Answer | None = await self.core.ask_async(Question(f"{chosen.title}. {chosen.text}", actor))
        except QuestionError:
            answer = None
        return PrincipleShown(chosen, answer)

    def passages(self, refs: Sequence[str]) -> list[ScoredPassage]:
        """The serving version's passages these refs name (`render.common.passage_ref`), best
        sentence restored, for a Sources button clicked on an answer, maybe one sent before a
        restart or a rebuild."""
        data = self.core.serving_data()
        return find_passages(data.passages, refs) if data is not None else []


async def audit_refusal(knowledge: KnowledgeOps, actor: Actor, action: str, reason: str, target: str = "") -> None:
    """Record a refused admin command in the audit log, off the event loop; the refusal
    stands even if the log cannot be written."""
    log.warning("refused %s %r for %s: %s", action, target, actor.label(), reason)
    try:
        await asyncio.to_thread(knowledge.record_refusal, actor, action, reason, target)
    except Exception:
        log.exception("could not record the refused %s in the audit log", action)

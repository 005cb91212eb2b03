"""Prometheus metrics for a running bot, in their own registry.

A dedicated `CollectorRegistry` (not the process-global one) keeps several bots or tests
in one process from colliding on metric names. `attach(core)` counts every answer the
core returns, so an adapter only reports what the core never sees: questions refused
before reaching it (rate limit, QuestionError) and errors.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.types import Answer, Question

if TYPE_CHECKING:
    from bot.core import BotCore
    from bot.ops.feedback import FeedbackStore

log = logging.getLogger(__name__)
OUTCOMES = ("answered", "declined", "replied", "refused", "error")
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BUILD_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


def outcome_of(answer: Answer) -> str:
    return answer.outcome


class Metrics:
    """The bot's metrics; every method is cheap and thread-safe (prometheus-client locks)."""

    def __init__(self, registry: CollectorRegistry | None = None, namespace: str = "callbot") -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        reg, ns = self.registry, namespace
        self.questions = Counter(
            "questions", "Questions by platform and outcome.", ["platform", "outcome"], namespace=ns, registry=reg
        )
        self.latency = Histogram(
            "answer_latency_seconds", "Time to answer a question.", namespace=ns, registry=reg, buckets=_LATENCY_BUCKETS
        )
        self.index_version = Gauge(
            "index_version_info", "The serving index version (value 1).", ["version"], namespace=ns, registry=reg
        )
        self.index_passages = Gauge("index_passages", "Passages in the serving index.", namespace=ns, registry=reg)
        self.builds = Counter(
            "index_builds", "Index builds by outcome (ok, failed).", ["outcome"], namespace=ns, registry=reg
        )
        self.build_seconds = Histogram(
            "index_build_seconds", "Time to build an index version.", namespace=ns, registry=reg, buckets=_BUILD_BUCKETS
        )
        self.feedback = Counter(
            "feedback", "Feedback votes recorded (a changed vote counts again).", ["vote"], namespace=ns, registry=reg
        )
        self._version: str | None = None

    # -- what adapters and the core report ---------------------------------------------------
    def observe_answer(self, platform: str, outcome: str, seconds: float | None = None) -> None:
        """One question's outcome: answered, declined, refused or error."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
        self.questions.labels(platform=platform or "unknown", outcome=outcome).inc()
        if seconds is not None:
            self.latency.observe(max(0.0, seconds))

    def observe_build(self, ok: bool, seconds: float) -> None:
        self.builds.labels(outcome="ok" if ok else "failed").inc()
        if ok:
            self.build_seconds.observe(max(0.0, seconds))

    def set_index(self, version: str, passages: int) -> None:
        """Show `version` as the only serving version (hot reloads replace the label)."""
        if version != self._version:
            self.index_version.clear()
            self.index_version.labels(version=version).set(1)
            self._version = version
        self.index_passages.set(passages)

    def observe_feedback(self, helpful: bool) -> None:
        self.feedback.labels(vote="helpful" if helpful else "not_helpful").inc()

    # -- wiring ------------------------------------------------------------------------------
    def sync_index(self, core: BotCore) -> None:
        """Copy the core's serving version into the gauges (no-op before it starts)."""
        if core.started:
            data = core.serving.data
            self.set_index(data.version, len(data.passages))

    def attach(self, core: BotCore) -> None:
        """Count every answer the core returns (any adapter, no adapter help needed)."""

        def listener(question: Question, answer: Answer, seconds: float) -> None:
            try:
                self.observe_answer(question.actor.platform, outcome_of(answer), seconds)
                if answer.index_version != self._version:
                    self.sync_index(core)
            except Exception:  # a metrics failure must never cost a user their answer
                log.exception("could not record metrics for an answer")

        core.add_listener(listener)
        self.sync_index(core)

    def attach_feedback(self, store: FeedbackStore) -> None:
        """Count votes as the store records them (repeated clicks are not counted)."""
        store.add_vote_listener(self.observe_feedback)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)

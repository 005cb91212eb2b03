"""One call for an adapter to get every ops piece, wired to its core and settings.

Each adapter needs the same set (metrics, question log, feedback store, in-flight counter,
health server), attached the same way; doing it here keeps Discord and Slack from
drifting apart. Adapters still report what the core never sees: refusals and errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.ops.feedback import FeedbackStore
from bot.ops.health import HealthServer, Ready, start_from_config
from bot.ops.metrics import Metrics
from bot.ops.question_log import QuestionLog
from bot.ops.shutdown import InFlight
from bot.storage.stores import open_feedback

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.core import BotCore


@dataclass
class OpsKit:
    """The ops pieces a running adapter holds besides the core (metrics, question log, feedback store)."""

    core: BotCore
    settings: Settings
    metrics: Metrics
    questions: QuestionLog
    feedback: FeedbackStore
    in_flight: InFlight = field(default_factory=InFlight)

    def refused(self, platform: str, text: str | None = None, seconds: float | None = None) -> None:
        """A question turned away before the core answered (rate limit, QuestionError)."""
        self.metrics.observe_answer(platform, "refused", seconds)
        self.questions.log(platform, "refused", seconds, text)

    def failed(self, platform: str, text: str | None = None, seconds: float | None = None) -> None:
        """A question whose answer failed with an unexpected error."""
        self.metrics.observe_answer(platform, "error", seconds)
        self.questions.log(platform, "error", seconds, text)

    async def start_health(self, ready: Ready) -> HealthServer | None:
        """The /healthz + /metrics server of `metrics.*` (None when disabled)."""
        return await start_from_config(self.settings.metrics, ready, self.core, self.metrics)

    def add_health_routes(self, app: web.Application, ready: Ready) -> None:
        """Serve /healthz and /metrics on an aiohttp app the adapter already runs (Slack HTTP
        mode); like the standalone server, off when `metrics.enabled` is false."""
        from bot.ops.health import add_health_routes

        if not self.settings.metrics.enabled:
            return
        add_health_routes(app, ready=ready, core=self.core, metrics=self.metrics)


def setup_ops(core: BotCore, settings: Settings) -> OpsKit:
    """Create the ops pieces and attach them to `core` (every answer is counted and logged)."""
    metrics = Metrics()
    questions = QuestionLog(settings.logging.question_text)
    feedback = open_feedback(settings)
    metrics.attach(core)
    metrics.attach_feedback(feedback)
    questions.attach(core)
    return OpsKit(core, settings, metrics, questions, feedback)

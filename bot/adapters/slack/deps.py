"""What every Slack listener needs, built once per app and passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.adapters.asking import Asking
from bot.adapters.slack import PLATFORM
from bot.adapters.slack.admin_check import AdminCheck
from bot.adapters.slack.dedup import event_dedup
from bot.config import Settings
from bot.ops.shutdown import InFlight
from bot.ratelimit import RateLimiter
from bot.storage.redis_state import Dedup, rate_limiter
from bot.types import Actor

if TYPE_CHECKING:
    from bot.app import App
    from bot.core import BotCore
    from bot.knowledge.operations import KnowledgeOps
    from bot.ops.wiring import OpsKit


@dataclass
class SlackDeps:
    """The adapter's state: the core it calls, the knowledge operations admins run, and
    the per-process guards around them.

    `ops` (metrics, question log, feedback store) is None for a bare adapter driven by a
    harness; answers then carry no feedback buttons. `in_flight` is the ops counter when
    there is one, so a graceful shutdown waits for the answers this adapter is writing.
    """

    core: BotCore
    settings: Settings
    knowledge: KnowledgeOps
    limiter: RateLimiter
    dedup: Dedup
    admins: AdminCheck
    ops: OpsKit | None = None
    in_flight: InFlight = field(init=False)
    asking: Asking = field(init=False)

    def __post_init__(self) -> None:
        self.in_flight = self.ops.in_flight if self.ops is not None else InFlight()
        self.asking = Asking(self.core, self.ops, PLATFORM, self.limiter, self.in_flight)

    @classmethod
    def create(cls, app: App, ops: OpsKit | None = None) -> SlackDeps:
        settings = app.settings
        return cls(
            core=app.core,
            settings=settings,
            knowledge=app.knowledge,
            limiter=rate_limiter(settings),
            dedup=event_dedup(settings, settings.slack.dedup_ttl_seconds),
            admins=AdminCheck(settings.slack),
            ops=ops,
        )

    @property
    def command(self) -> str:
        return self.settings.slack.command


def actor(user_id: str, name: str = "") -> Actor:
    return Actor(platform=PLATFORM, user_id=user_id, display_name=name)

"""What every Slack listener needs, built once per app and passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.adapters.slack.dedup import EventDedup
from bot.config import Settings
from bot.ratelimit import RateLimiter
from bot.types import Actor

if TYPE_CHECKING:  # the admin check imports slack_sdk; keep this module light
    from bot.adapters.slack.admin import AdminCheck
    from bot.core import BotCore


@dataclass
class SlackDeps:
    """The adapter's state: the core it calls and the per-process guards around it."""

    core: "BotCore"
    settings: Settings
    limiter: RateLimiter
    dedup: EventDedup
    admins: "AdminCheck"

    @classmethod
    def create(cls, core: "BotCore", settings: Settings) -> "SlackDeps":
        from bot.adapters.slack.admin import AdminCheck

        limits = settings.limits
        return cls(
            core=core,
            settings=settings,
            limiter=RateLimiter(limits.rate_limit_questions, limits.rate_limit_seconds),
            dedup=EventDedup(settings.slack.dedup_ttl_seconds),
            admins=AdminCheck(settings.slack),
        )

    @property
    def command(self) -> str:
        return self.settings.slack.command


def actor(user_id: str, name: str = "") -> Actor:
    return Actor(platform="slack", user_id=user_id, display_name=name)

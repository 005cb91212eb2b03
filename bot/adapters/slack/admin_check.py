"""Who is a bot admin on Slack: per-app state (a cache of `users.info` verdicts), held by `SlackDeps`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackConfig

log = logging.getLogger(__name__)


class AdminCheck:
    """Config user ids are admins; optionally workspace admins and owners too (`users.info`)."""

    def __init__(self, config: SlackConfig, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ids = set(config.admin_user_ids)
        self._workspace = config.workspace_admins_are_admins
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[bool, float]] = {}

    async def is_admin(self, client: AsyncWebClient, user_id: str) -> bool:
        if user_id in self._ids:
            return True
        if not self._workspace or not user_id:
            return False
        cached = self._cache.get(user_id)
        if cached and cached[1] > self._clock():
            return cached[0]
        try:
            user: dict[str, Any] = (await client.users_info(user=user_id))["user"]
        except SlackApiError as err:
            log.warning("users.info failed for %s (%s); treating as not an admin", user_id, err.response.get("error"))
            return False
        verdict = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._cache[user_id] = (verdict, self._clock() + self._ttl)
        return verdict

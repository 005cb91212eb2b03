"""Answer each Slack message once.

Slack redelivers an event when the ack was slow or lost (same `event_id`, with a retry number),
and a mention in a DM may arrive both as `app_mention` and as `message` (different event ids,
same channel and ts). Remembering both keys for at least ten minutes covers the retry window.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.storage.redis_state import Dedup


class EventDedup:
    """Remembers keys for `ttl` seconds. Locked: callers ask from worker threads, so that a
    shared (Redis) dedupe wrapped around it never waits on the event loop."""

    def __init__(
        self, ttl: float = 900.0, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max_keys = max_keys
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, *keys: str) -> bool:
        """True if none of `keys` was seen within the TTL; records them all either way."""
        with self._lock:
            return self._record(keys)

    def _record(self, keys: tuple[str, ...]) -> bool:
        now = self._clock()
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        seen = any(key in self._expiry for key in keys)
        for key in keys:
            self._expiry.pop(key, None)
            self._expiry[key] = now + self._ttl
        while len(self._expiry) > self._max_keys:
            self._expiry.popitem(last=False)
        return not seen


def event_keys(body: dict[str, Any], event: dict[str, Any]) -> list[str]:
    """The keys one delivery is known by: its event id, and the message it is about."""
    keys = []
    if body.get("event_id"):
        keys.append(f"event:{body['event_id']}")
    if event.get("channel") and event.get("ts"):
        keys.append(f"msg:{event['channel']}:{event['ts']}")
    return keys


def event_dedup(settings: Settings, ttl: float) -> Dedup:
    """The event dedupe: in this process, or across replicas when `storage.redis_url` is set."""
    local = EventDedup(ttl)
    url = settings.storage.redis_url
    if not url:
        return local
    from bot.storage.redis_state import RedisDedup, redis_client

    return RedisDedup(redis_client(url, settings.storage.redis_timeout_seconds), ttl, local)

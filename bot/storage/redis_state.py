"""Short-lived state shared through Redis: event dedupe and per-person rate limits.

Every call has a short socket timeout (`storage.redis_timeout_seconds`): on loopback or a LAN a
command takes well under a millisecond, so the event loop is never held for long, and when
Redis is unreachable the guard falls back to its in-process twin (logged) rather than drop or
refuse a question. After a failure Redis is left alone for RETRY_SECONDS, so an outage costs
one timeout per interval, not one per event. Dedupe is `SET key 1 NX EX ttl` on every key a delivery is known by (its
event id and its message), so a retry landing on another replica is seen.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING, Protocol

from bot.ratelimit import RateLimiter

if TYPE_CHECKING:
    import redis

    from bot.config import Settings

log = logging.getLogger(__name__)
PREFIX = "callbot:"
RETRY_SECONDS = 5.0


class _Breaker:
    """Skips Redis for RETRY_SECONDS after a failure (one warning per outage)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._down_until = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._down_until

    def failed(self, err: Exception) -> None:
        if not self._down_until:
            log.warning("Redis unavailable for %s (%s); using this process only until it is back", self._what, err)
        self._down_until = time.monotonic() + RETRY_SECONDS

    def ok(self) -> None:
        if self._down_until:
            log.info("Redis is back for %s", self._what)
        self._down_until = 0.0


_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def redis_client(url: str, timeout: float = 0.5) -> redis.Redis:
    """One client (connection pool) per URL and process."""
    import redis

    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
            )
            _clients[url] = client
        return client


class Dedup(Protocol):
    def first_time(self, *keys: str) -> bool: ...


class RedisDedup:
    """`first_time(*keys)` across replicas, with the in-process dedupe as the fallback."""

    def __init__(self, client: redis.Redis, ttl: float, fallback: Dedup) -> None:
        self._client = client
        self._ttl = max(1, math.ceil(ttl))
        self._fallback = fallback
        self._breaker = _Breaker("event dedupe")

    def first_time(self, *keys: str) -> bool:
        """True if none of `keys` was seen within the TTL on any replica; records them all."""
        import redis

        local = self._fallback.first_time(*keys)  # kept warm for a Redis outage
        if self._breaker.open:
            return local
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.set(PREFIX + "seen:" + key, b"1", nx=True, ex=self._ttl)
            results = pipe.execute()
        except redis.RedisError as err:
            self._breaker.failed(err)
            return local
        self._breaker.ok()
        return all(bool(r) for r in results)


class SharedRateLimiter(RateLimiter):
    """The per-person limit across replicas: `limits`' moving window on Redis."""

    def __init__(self, url: str, limit: int, window: float, timeout: float = 0.5) -> None:
        super().__init__(limit, window)
        from limits import RateLimitItemPerSecond
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self._item = RateLimitItemPerSecond(limit, max(1, math.ceil(window)))
        storage = RedisStorage(url, key_prefix="callbot-limits", socket_timeout=timeout, socket_connect_timeout=timeout)
        self._shared = MovingWindowRateLimiter(storage)
        self._breaker = _Breaker("rate limits")

    def check(self, key: str) -> float:
        """0.0 if allowed (and counted), else seconds until it would be."""
        import redis
        from limits.errors import StorageError

        if self._breaker.open:
            return super().check(key)
        try:
            if self._shared.hit(self._item, key):
                wait = 0.0
            else:
                wait = max(0.1, self._shared.get_window_stats(self._item, key).reset_time - time.time())
        except (redis.RedisError, StorageError) as err:
            self._breaker.failed(err)
            return super().check(key)
        self._breaker.ok()
        return wait


def rate_limiter(settings: Settings) -> RateLimiter:
    """The per-person rate limit: shared through Redis when `storage.redis_url` is set."""
    limits = settings.limits
    url = settings.storage.redis_url
    if not url:
        return RateLimiter(limits.rate_limit_questions, limits.rate_limit_seconds)
    return SharedRateLimiter(
        url, limits.rate_limit_questions, limits.rate_limit_seconds, settings.storage.redis_timeout_seconds
    )

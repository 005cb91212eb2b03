"""Per-user sliding-window rate limit, shared by every adapter."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    """Allows `limit` events per `window` seconds per key; thread-safe, O(1) amortised."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        """Record an event for `key`; 0.0 if allowed, else seconds until it would be."""
        now = self._clock()
        with self._lock:
            events = self._events[key]
            while events and now - events[0] >= self._window:
                events.popleft()
            if len(events) >= self._limit:
                return max(0.0, self._window - (now - events[0]))
            events.append(now)
            return 0.0

    def notice(self, wait_seconds: float) -> str:
        """The polite sentence adapters show privately to a rate-limited user."""
        seconds = max(1, round(wait_seconds))
        return (
            f"You're asking quickly — I answer up to {self._limit} questions per "
            f"{self._window:g} seconds per person. Please try again in {seconds} s."
        )

"""A small LRU of answers keyed by (normalised question, top_k, index version).

Keying by version means a new index version never serves a stale answer; `clear()` on
a swap frees the memory at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.types import Answer

Key = tuple[str, int, str]


class AnswerCache:
    """Thread-safe; a size of 0 disables it."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: Key, answer: Answer) -> None:
        if self._size <= 0:
            return
        with self._lock:
            self._items[key] = answer
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

"""Micro-batching: questions that arrive together are embedded in one batch.

Many users asking at once (or a burst of chat events) cost one model call per batch
instead of one per question. A single worker thread collects questions for a short
window (`embedding.max_batch_wait_ms`, bounded by `embedding.batch_size`), answers them
with `ask_many`, and resolves each caller's future with its own answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from bot.types import Answer, Question

AnswerMany = Callable[[Sequence[Question]], list]


class MicroBatcher:
    """Thread-safe; callers from threads or event loops (via asyncio.wrap_future)."""

    def __init__(self, answer_many: AnswerMany, max_batch: int, max_wait_ms: float) -> None:
        self._answer_many = answer_many
        self._max_batch = max(1, max_batch)
        self._max_wait = max(0.0, max_wait_ms) / 1000.0
        self._pending: list[tuple[Question, Future]] = []
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self.batches = 0

    def submit(self, question: Question) -> Future[Answer]:
        future: Future = Future()
        with self._cond:
            self._pending.append((question, future))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="callbot-batcher", daemon=True)
                self._worker.start()
            self._cond.notify()
        return future

    def _take_batch(self) -> list[tuple[Question, Future]]:
        with self._cond:
            while not self._pending:
                self._cond.wait()
            deadline = time.monotonic() + self._max_wait
            while len(self._pending) < self._max_batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            self.batches += 1
            try:
                results = self._answer_many([q for q, _ in batch])
            except BaseException as err:  # the whole batch failed: every caller hears why
                for _, future in batch:
                    future.set_exception(err)
                continue
            for (_, future), result in zip(batch, results):
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)

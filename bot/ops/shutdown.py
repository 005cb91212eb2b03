"""Graceful shutdown: on SIGTERM/SIGINT stop taking questions, finish the ones in flight.

Deploys and restarts send SIGTERM; cancelling the event loop at once would drop the
answers being computed, and the users who asked would never hear back. Adapters wrap each
answer in an `InFlight` (``with in_flight: ...``); the signal handler closes it (new
questions get a polite `ShuttingDown`), waits a bounded time for it to drain, then runs the
adapter's `stop`. A second signal skips the wait.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Iterable

from bot.errors import CallbotError

log = logging.getLogger(__name__)
Stop = Callable[[], Awaitable[None]]
DEFAULT_GRACE_SECONDS = 10.0
_POLL = 0.02


class ShuttingDown(CallbotError):
    """Raised when a question arrives after shutdown began; the message is for the user."""

    def __init__(self) -> None:
        super().__init__("The bot is restarting; please ask again in a minute.")


class InFlight:
    """Counts answers being computed; usable with `with` or `async with`, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._accepting = True

    @property
    def count(self) -> int:
        return self._count

    @property
    def accepting(self) -> bool:
        return self._accepting

    def close(self) -> None:
        """Refuse new work from now on (work already started is unaffected)."""
        self._accepting = False

    def __enter__(self) -> InFlight:
        with self._lock:
            if not self._accepting:
                raise ShuttingDown()
            self._count += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1

    async def __aenter__(self) -> InFlight:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()

    async def wait_idle(self, timeout: float, hurry: asyncio.Event | None = None) -> bool:
        """Wait until nothing is in flight (True), the timeout passes or `hurry` is set."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._count and loop.time() < deadline and not (hurry and hurry.is_set()):
            await asyncio.sleep(_POLL)
        return self._count == 0


class GracefulShutdown:
    """What the signal handlers run; `await shutdown.wait()` returns once `stop` has run."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, stop: Stop, in_flight: InFlight | None, grace_seconds: float
    ) -> None:
        self.loop, self.stop, self.in_flight, self.grace_seconds = loop, stop, in_flight, grace_seconds
        self.signals: tuple[int, ...] = ()
        self.task: asyncio.Task | None = None
        self._hurry = asyncio.Event()
        self._done = asyncio.Event()

    @property
    def requested(self) -> bool:
        return self.task is not None

    def trigger(self, signum: int = signal.SIGTERM) -> None:
        """Begin shutting down (the first time); a repeat skips the wait for answers."""
        name = signal.Signals(signum).name
        if self.task is not None:
            log.warning("%s again: stopping without waiting for answers in flight", name)
            self._hurry.set()
            return
        log.info("%s received: finishing answers in flight, then stopping", name)
        if self.in_flight is not None:
            self.in_flight.close()
        self.task = self.loop.create_task(self._run())

    async def _run(self) -> None:
        try:
            if self.in_flight is not None and self.in_flight.count:
                busy = self.in_flight.count
                log.info("waiting up to %.0f s for %d answer(s) in flight", self.grace_seconds, busy)
                if not await self.in_flight.wait_idle(self.grace_seconds, self._hurry):
                    log.warning("stopping with %d answer(s) unfinished", self.in_flight.count)
            await self.stop()
        except Exception:
            log.exception("error while stopping")
        finally:
            self._done.set()

    async def wait(self) -> None:
        await self._done.wait()

    def remove(self) -> None:
        """Uninstall the handlers (the default signal behaviour comes back)."""
        for signum in self.signals:
            self.loop.remove_signal_handler(signum)
        self.signals = ()


def install_signal_handlers(
    loop: asyncio.AbstractEventLoop,
    stop: Stop,
    *,
    in_flight: InFlight | None = None,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT),
) -> GracefulShutdown:
    """Run `stop` after in-flight answers finish (at most `grace_seconds`) on SIGTERM/SIGINT.

    Where the loop cannot take signal handlers (Windows, a non-main thread) nothing is
    installed and `shutdown.signals` stays empty; `shutdown.trigger()` still works.
    """
    shutdown = GracefulShutdown(loop, stop, in_flight, grace_seconds)
    installed = []
    for signum in signals:
        try:
            loop.add_signal_handler(signum, shutdown.trigger, signum)
        except (NotImplementedError, RuntimeError, ValueError):
            log.debug("cannot handle signal %s here; graceful shutdown is manual", signum)
            continue
        installed.append(signum)
    shutdown.signals = tuple(installed)
    return shutdown

"""Rebuilding a stale index beside the serving version (long-running modes).

Questions keep their answers from the last good version while the rebuild runs; the new
version is swapped in by the rebuild itself. One rebuild at a time per core; a build
running in another process is left to finish (the core's watcher picks its version up).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from bot.errors import BuildInProgressError, CallbotError

log = logging.getLogger(__name__)


class BackgroundRebuild:
    """Runs `rebuild` in a daemon thread; its failures are logged, never raised."""

    def __init__(self, rebuild: Callable[[], None], serving_version: Callable[[], str]) -> None:
        self._rebuild = rebuild
        self._serving_version = serving_version
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> threading.Thread:
        """Start a rebuild, or return the one already running."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="callbot-index-rebuild", daemon=True)
                self._thread.start()
            return self._thread

    def _run(self) -> None:
        try:
            self._rebuild()
        except BuildInProgressError:
            log.warning("another process is rebuilding the index; its version will be picked up when promoted")
        except CallbotError as err:
            log.warning("the background rebuild was refused, still serving version %s: %s", self._serving_version(), err)
        except Exception:
            log.exception("the background rebuild failed, still serving version %s", self._serving_version())

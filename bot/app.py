"""The composition root: the one place that builds a process's parts and shows how they fit.

    settings ──> BotCore (index, retrieval, answers)
                   ├──> KnowledgeOps (add, remove, rebuild, rollback, audit log)
                   └──> OpsKit (metrics, question log, feedback store, in-flight counter)

The CLI (`bot.cli.context`), the console adapter and both platforms' `run.py` take an `App`
from here instead of assembling their own. The knowledge operations and the ops kit are
built on first use: a one-shot `callbot ask` opens neither the audit log nor the feedback
database, and the ops kit is attached to the core once, however many adapters share it
(a second kit would count every answer twice).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.config import Settings
from bot.core import BotCore
from bot.embedding.base import Embedder
from bot.index.builder import Progress
from bot.knowledge.operations import KnowledgeOps
from bot.knowledge.wiring import knowledge_ops
from bot.ops.wiring import OpsKit, setup_ops
from bot.storage.wiring import attach_shared_state


def build_knowledge_ops(core: BotCore) -> KnowledgeOps:
    """The admin knowledge operations for `core`: they serve each new version on it at once,
    record recovery after a crash, and run its audited rebuild of a stale index."""
    ops = knowledge_ops(core)
    attach_shared_state(core)  # several replicas: build lock across them, reload notices
    return ops


@dataclass
class App:
    """What a running callbot holds: the settings, the core, and (built when first asked
    for) the knowledge operations and the ops kit. Thread-safe: adapters build the ops kit
    in a worker thread while the event loop runs."""

    settings: Settings
    core: BotCore
    _ops: OpsKit | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def knowledge(self) -> KnowledgeOps:
        """Admin operations (add, remove, rebuild, rollback, audit log) bound to this core."""
        with self._lock:  # made once per core
            return build_knowledge_ops(self.core)

    def start(self, progress: Progress | None = None, background: bool = False) -> str | None:
        """Load the index, with the knowledge operations wired first so that recovery after a
        crash and the rebuild of a stale index are gated and audited; see `BotCore.start`."""
        with self._lock:
            build_knowledge_ops(self.core)
        return self.core.start(progress, background=background)

    @property
    def ops(self) -> OpsKit:
        """Metrics, question log and feedback store, attached to the core on first use.

        Blocking (it opens the feedback database): from the event loop, use
        `await asyncio.to_thread(lambda: app.ops)`.
        """
        with self._lock:
            if self._ops is None:
                self._ops = setup_ops(self.core, self.settings)
            return self._ops


def create_app(settings: Settings, *, embedder: Embedder | None = None) -> App:
    """The parts for `settings`; nothing is loaded yet (`app.core.start()` loads the index)."""
    return App(settings, BotCore(settings, embedder=embedder))

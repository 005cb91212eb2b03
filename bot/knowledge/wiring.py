"""Connecting the knowledge operations to a running core (until the composition root does).

The core does not know the knowledge operations (no import cycle); they receive what
they need from it: the index manager, the settings, the embedder, a "serve this version"
callback and the version being served. Wiring also gives the index manager the audit
recorder for recovery after a crash, and the core an audited rebuild for a stale index.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import BotCore
from bot.knowledge.operations import AUTOMATIC, KnowledgeOps


@dataclass(frozen=True)
class _AuditedRebuild:
    """The core's `rebuilder`: a gated, journaled, audited rebuild by the automatic actor."""

    ops: KnowledgeOps

    def __call__(self, held: bool) -> None:
        self.ops.rebuild(AUTOMATIC, held=held)


def make_knowledge_ops(core: BotCore) -> KnowledgeOps:
    """New operations bound to `core` (the composition root calls this once per core);
    `knowledge_ops(core)` returns them from then on."""
    ops = KnowledgeOps(core.index, core.settings, core.embedder, serve=core.serve, serving=core.serving_data)
    core.index.recorder = ops.record_recovery
    core.rebuilder = _AuditedRebuild(ops)
    return ops


def knowledge_ops(core: BotCore) -> KnowledgeOps:
    """The operations wired to `core`, made on first use (one audit log per core)."""
    if isinstance(core.rebuilder, _AuditedRebuild):
        return core.rebuilder.ops
    return make_knowledge_ops(core)

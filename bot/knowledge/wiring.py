"""Connecting the knowledge operations to a running core (until the composition root does).

The core does not know the knowledge operations (no import cycle); they receive what
they need from it: the index manager, the settings, the embedder, a "serve this version"
callback and the version being served. Wiring also gives the index manager the audit
recorder for recovery after a crash, and the core an audited rebuild for a stale index.
"""

from __future__ import annotations

import weakref

from bot.core import BotCore
from bot.knowledge.operations import AUTOMATIC, KnowledgeOps

_OPS: "weakref.WeakKeyDictionary[BotCore, KnowledgeOps]" = weakref.WeakKeyDictionary()


def make_knowledge_ops(core: BotCore) -> KnowledgeOps:
    """New operations bound to `core` (the composition root calls this once per core);
    `knowledge_ops(core)` returns them from then on."""
    ops = KnowledgeOps(core.index, core.settings, core.embedder, serve=core.serve, serving=core.serving_data)
    core.index.recorder = ops.record_recovery
    core.rebuilder = lambda held: ops.rebuild(AUTOMATIC, held=held)
    _OPS[core] = ops
    return ops


def knowledge_ops(core: BotCore) -> KnowledgeOps:
    """The operations of `core`, made on first use (one audit log and journal per core)."""
    ops = _OPS.get(core)
    return ops if ops is not None else make_knowledge_ops(core)

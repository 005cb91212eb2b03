"""Connect a core to the shared state its settings name (nothing when none is configured)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import BotCore


def attach_shared_state(core: BotCore) -> None:
    """Give the core's index store the cross-replica build lock and promotion notices, and
    the core a trigger that reloads on a notice; idempotent."""
    settings = core.settings
    storage = settings.storage
    store = core.index.store
    if store.on_pointer_moved is not None or not (storage.redis_url or storage.database_url):
        return
    from bot.storage.knowledge_sync import PointerNotices, RedisBuildLock
    from bot.storage.stores import database_engine

    name = str(settings.index_path.resolve())
    client = None
    if storage.redis_url:
        from bot.storage.redis_state import redis_client

        client = redis_client(storage.redis_url, storage.redis_timeout_seconds)
        store.shared_lock = RedisBuildLock(client, name)
    notices = PointerNotices(client, name, database_engine(settings))
    store.on_pointer_moved = notices.moved
    core.reload_triggers.append(notices.listen)

"""The knowledge base across replicas that share `knowledge_dir` and `index_dir` on one volume.

Why a shared volume: the built versions are folders of FAISS and BM25 files that every
replica memory-maps as they are; a shared folder (a Docker volume, NFS) is one thing a small
team already knows how to back up, and needs no blob code. What the volume cannot give is
handled here: the build lock across machines (a Redis lock with a TTL, renewed while the
build runs, so a killed builder frees it within the TTL), a notice on `callbot:index` when
CURRENT moves so every replica reloads at once instead of at its next poll, and the serving
version recorded in the database (`index_pointer`: what operators query).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bot.errors import BuildInProgressError

if TYPE_CHECKING:
    import redis
    from sqlalchemy import Engine

log = logging.getLogger(__name__)
CHANNEL = "callbot:index"
LOCK_TTL_SECONDS = 30.0
_BUSY = "another index build is running; please try again when it has finished (nothing was changed)."


class RedisBuildLock:
    """`lock(wait)`: a context manager holding `callbot:build:<index>` across replicas."""

    def __init__(self, client: redis.Redis, name: str, ttl: float = LOCK_TTL_SECONDS) -> None:
        self._client = client
        self._name = f"callbot:build:{name}"
        self._ttl = ttl

    @contextlib.contextmanager
    def __call__(self, wait: bool = False) -> Iterator[None]:
        import redis

        lock = self._client.lock(self._name, timeout=self._ttl, sleep=0.2, thread_local=False)
        try:
            got = lock.acquire(blocking=wait, blocking_timeout=None if wait else 0)
        except redis.RedisError as err:
            log.warning("Redis unavailable for the build lock (%s); locking on this machine only", err)
            yield
            return
        if not got:
            raise BuildInProgressError(_BUSY)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self._ttl / 3):
                try:
                    lock.extend(self._ttl, replace_ttl=True)
                except Exception as err:  # noqa: BLE001 - the build goes on; the lock may lapse
                    log.warning("could not renew the build lock (%s)", err)

        renewer = threading.Thread(target=renew, name="callbot-build-lock", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            with contextlib.suppress(Exception):
                lock.release()


class PointerNotices:
    """Publishes and receives "version V now serves from index folder I"."""

    def __init__(self, client: redis.Redis | None, index_name: str, engine: Engine | None = None) -> None:
        self._client = client
        self._index = index_name
        self._engine = engine

    def moved(self, version: str) -> None:
        """CURRENT now names `version`: record it and tell the other replicas; never raises."""
        if self._engine is not None:
            try:
                record_pointer(self._engine, self._index, version)
            except Exception as err:  # noqa: BLE001 - the file pointer is what serves
                log.warning("could not record index version %s in the database (%s)", version, err)
        if self._client is not None:
            try:
                self._client.publish(CHANNEL, json.dumps({"index": self._index, "version": version}))
            except Exception as err:  # noqa: BLE001 - the others still poll
                log.warning("could not announce index version %s (%s); other replicas will poll", version, err)

    def listen(self, reload: Callable[[], bool]) -> None:
        """Call `reload` whenever a notice for this index arrives (a daemon thread; reconnects)."""
        if self._client is None:
            return
        client = self._client

        def run() -> None:
            backoff = 0.5
            missed = False
            while True:
                try:
                    pubsub = client.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(CHANNEL)
                    backoff = 0.5
                    if missed:  # a notice may have gone out while Redis was away
                        missed = False
                        reload()
                    while True:
                        message = pubsub.get_message(timeout=5.0)
                        if message is None:
                            continue
                        with contextlib.suppress(ValueError, TypeError, KeyError):
                            if json.loads(message["data"])["index"] != self._index:
                                continue
                        if reload():
                            log.info("reloaded the index on a notice from another replica")
                except Exception as err:  # noqa: BLE001 - Redis restarts: keep polling meanwhile
                    log.debug("index notices interrupted (%s); reconnecting", err)
                    missed = True
                    time.sleep(backoff)
                    backoff = min(10.0, backoff * 2)

        threading.Thread(target=run, name="callbot-index-notices", daemon=True).start()


def record_pointer(engine: Engine, index_name: str, version: str) -> None:
    from sqlalchemy import delete, insert

    from bot.storage.schema import index_pointer

    with engine.begin() as conn:
        conn.execute(delete(index_pointer).where(index_pointer.c.name == index_name))
        conn.execute(insert(index_pointer).values(name=index_name, version=version, at=time.time()))


def recorded_pointer(engine: Engine, index_name: str) -> str | None:
    from sqlalchemy import select

    from bot.storage.schema import index_pointer

    with engine.connect() as conn:
        return conn.execute(select(index_pointer.c.version).where(index_pointer.c.name == index_name)).scalar()

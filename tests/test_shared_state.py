"""Short-lived state shared through a real Redis: dedupe, rate limits, the build lock and
promotion notices, as two replicas (two cores, two guards) see them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from bot.adapters.slack.dedup import EventDedup, event_dedup
from bot.app import create_app
from bot.config import Settings
from bot.errors import BuildInProgressError
from bot.ratelimit import RateLimiter
from bot.storage.knowledge_sync import RedisBuildLock, recorded_pointer
from bot.storage.redis_state import RedisDedup, SharedRateLimiter, rate_limiter
from bot.storage.stores import database_engine
from bot.types import Question
from tests.conftest import make_settings
from tests.fake_embedder import FakeEmbedder
from tests.helpers_knowledge import ACTOR, CABLES, NO_EVAL


def _settings(redis_url: str, **more: object) -> Settings:
    return Settings.model_validate({"storage": {"redis_url": redis_url}, **more})


def test_a_retry_landing_on_the_other_replica_is_seen(redis_url: str) -> None:
    a, b = event_dedup(_settings(redis_url), 900), event_dedup(_settings(redis_url), 900)
    assert isinstance(a, RedisDedup)
    assert a.first_time("event:Ev1", "msg:C1:1.0") is True
    assert b.first_time("event:Ev1", "msg:C1:1.0") is False  # the retry
    assert b.first_time("event:Ev2", "msg:C1:1.0") is False  # app_mention + message of one message
    assert b.first_time("event:Ev3", "msg:C1:2.0") is True


def test_without_redis_url_the_guards_stay_in_process() -> None:
    assert isinstance(event_dedup(Settings(), 900), EventDedup)
    assert type(rate_limiter(Settings())) is RateLimiter


def test_dedupe_falls_back_to_this_process_when_redis_is_down() -> None:
    down = redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.2, socket_connect_timeout=0.2)
    dedup = RedisDedup(down, 900, EventDedup(900))
    assert dedup.first_time("event:E") is True
    assert dedup.first_time("event:E") is False


def test_the_rate_limit_holds_across_replicas(redis_url: str) -> None:
    limits = {"rate_limit_questions": 3, "rate_limit_seconds": 30}
    a = rate_limiter(_settings(redis_url, limits=limits))
    b = rate_limiter(_settings(redis_url, limits=limits))
    assert isinstance(a, SharedRateLimiter)
    assert [a.check("T:U1"), b.check("T:U1"), a.check("T:U1")] == [0.0, 0.0, 0.0]
    wait = b.check("T:U1")
    assert 0 < wait <= 30
    assert a.check("T:U2") == 0.0  # per person
    assert "3 questions per 30 seconds" in b.notice(wait)


def test_one_build_across_replicas_and_the_lock_outlives_a_slow_build(redis_server) -> None:
    client = redis.Redis.from_url(redis_server.url())
    on_a, on_b = RedisBuildLock(client, "/shared/index", ttl=1.0), RedisBuildLock(client, "/shared/index", ttl=1.0)
    with on_a():
        time.sleep(2.5)  # past the TTL: renewed while held
        with pytest.raises(BuildInProgressError, match="another index build is running"), on_b():
            pass
    with on_b():  # released
        pass


def test_a_killed_builder_frees_the_lock_within_its_ttl(redis_server) -> None:
    client = redis.Redis.from_url(redis_server.url())
    client.set("callbot:build:/dead", "a-dead-replica", px=800)  # what a killed holder leaves
    with pytest.raises(BuildInProgressError), RedisBuildLock(client, "/dead")():
        pass
    time.sleep(1.0)
    with RedisBuildLock(client, "/dead")():
        pass


def test_a_version_promoted_on_one_replica_is_served_by_the_other_at_once(
    tmp_path: Path, knowledge_copy: Path, redis_url: str, pg_url: str
) -> None:
    overrides = {
        **NO_EVAL,
        "storage": {"redis_url": redis_url, "database_url": pg_url},
        "knowledge_ops": {**NO_EVAL.get("knowledge_ops", {}), "watch_interval_seconds": 600},  # no polling
    }
    settings = make_settings(tmp_path, knowledge_copy, **overrides)
    a, b = create_app(settings, embedder=FakeEmbedder()), create_app(settings, embedder=FakeEmbedder())
    a.start()
    b.start()  # the later replica loads the current version, no rebuild
    assert b.core.index_version == a.core.index_version
    b.core.start_watcher()
    try:
        time.sleep(0.3)  # the subscriber is connected
        report = a.knowledge.add_bytes("cables.md", CABLES, ACTOR)
        version = a.core.index_version
        assert version in report.message or report.message
        deadline = time.monotonic() + 5
        while b.core.index_version != version and time.monotonic() < deadline:
            time.sleep(0.05)
        assert b.core.index_version == version
        assert recorded_pointer(database_engine(settings), str(settings.index_path.resolve())) == version
        answer = b.core.ask(Question("When was the Baltic cable security pact signed?"))
        assert answer.index_version == version
    finally:
        b.core.stop_watcher()


def test_two_builds_at_once_on_two_replicas_one_runs_the_other_is_told(
    tmp_path: Path, knowledge_copy: Path, redis_url: str
) -> None:
    from tests.helpers_knowledge import GatedEmbedder, run_in_thread

    settings = make_settings(tmp_path, knowledge_copy, **NO_EVAL, storage={"redis_url": redis_url})
    embedder = GatedEmbedder(hold=["builder"])
    a, b = create_app(settings, embedder=embedder), create_app(settings, embedder=FakeEmbedder())
    a.start()
    b.start()
    (knowledge_copy / "cables.md").write_bytes(CABLES)
    thread, box = run_in_thread("builder", lambda: a.knowledge.rebuild(ACTOR))
    assert embedder.entered.wait(5)
    # the flock would tell too on one machine: hold only the Redis lock, as another machine would
    b.core.index.store._local_lock = _no_lock  # type: ignore[method-assign]
    try:
        with (
            pytest.raises(BuildInProgressError, match="another index build is running"),
            b.core.index.store.build_lock(),
        ):
            pass
    finally:
        embedder.release.set()
        thread.join(30)
    assert box.get("error") is None


def _no_lock(wait: bool):  # noqa: ANN202
    import contextlib

    return contextlib.nullcontext()


def test_an_unreachable_redis_costs_one_timeout_per_interval_not_one_per_event() -> None:
    down = redis.Redis(host="10.255.255.1", port=6379, socket_timeout=0.3, socket_connect_timeout=0.3)
    dedup = RedisDedup(down, 900, EventDedup(900))
    started = time.monotonic()
    results = [dedup.first_time(f"event:E{i}") for i in range(20)]
    assert results == [True] * 20
    assert time.monotonic() - started < 1.5, "after the first timeout, Redis is skipped for a while"


def test_the_rate_limit_falls_back_to_this_process_when_redis_is_down() -> None:
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", 2, 30, timeout=0.2)
    assert [limiter.check("U"), limiter.check("U")] == [0.0, 0.0]
    assert limiter.check("U") > 0

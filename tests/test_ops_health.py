"""/healthz and /metrics over a real socket (127.0.0.1, port 0), and the Metrics object."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.config import MetricsConfig
from bot.errors import ConfigError
from bot.ops.health import add_health_routes, start_from_config, start_health_server
from bot.ops.metrics import Metrics
from bot.ops.question_log import LOGGER_NAME
from bot.types import Actor, Question


class Flag:
    def __init__(self) -> None:
        self.up = False

    def __call__(self) -> bool:
        return self.up


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str, dict | None]:
    async with session.get(url) as resp:
        body = await resp.text()
        data = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, body, data


@pytest.fixture
async def served(make_core):
    core = make_core()
    metrics = Metrics()
    metrics.attach(core)
    ready = Flag()
    server = await start_health_server("127.0.0.1", 0, ready, core, metrics)
    async with aiohttp.ClientSession() as session:
        yield core, metrics, ready, f"http://127.0.0.1:{server.port}", session
    await server.stop()


async def test_healthz_is_503_until_ready_then_200_with_version(served) -> None:
    core, _, ready, base, session = served
    status, _, body = await get(session, base + "/healthz")
    assert status == 503
    assert body["status"] == "starting" and body["platform_connected"] is False
    ready.up = True
    status, _, body = await get(session, base + "/healthz")
    assert status == 200
    assert body["status"] == "ok"
    assert body["index_version"] == core.index_version
    assert body["platform_connected"] is True
    assert body["uptime_seconds"] >= 0


async def test_healthz_is_503_when_the_connection_is_lost(served) -> None:
    _, _, ready, base, session = served
    ready.up = True
    assert (await get(session, base + "/healthz"))[0] == 200
    ready.up = False
    status, _, body = await get(session, base + "/healthz")
    assert status == 503 and body["status"] == "unavailable"


async def test_a_failing_readiness_probe_means_503(make_core) -> None:
    def broken() -> bool:
        raise RuntimeError("probe exploded")

    server = await start_health_server("127.0.0.1", 0, broken, make_core(), None)
    try:
        async with aiohttp.ClientSession() as session:
            assert (await get(session, f"http://127.0.0.1:{server.port}/healthz"))[0] == 503
            assert (await get(session, f"http://127.0.0.1:{server.port}/metrics"))[0] == 404
    finally:
        await server.stop()


async def test_healthz_is_503_before_the_core_has_an_index(make_core) -> None:
    from bot.core import BotCore

    started = make_core()
    unstarted = BotCore(started.settings, embedder=started.embedder)
    server = await start_health_server("127.0.0.1", 0, lambda: True, unstarted, Metrics())
    try:
        async with aiohttp.ClientSession() as session:
            status, _, body = await get(session, f"http://127.0.0.1:{server.port}/healthz")
    finally:
        await server.stop()
    assert status == 503 and body["index_version"] is None and body["platform_connected"] is True


async def test_metrics_count_answers_through_attach(served) -> None:
    core, _, _, base, session = served
    alice = Actor("test", "alice", "Alice")
    core.ask(Question("What is the Paris Call?", alice))
    core.ask(Question("Who supports the Paris Call for Trust and Security in Cyberspace?", alice))
    await core.ask_async(Question("What is the weather like on Mars tomorrow?", Actor("other", "bob")))
    core.ask(Question("hello", alice))  # small talk: replied to, not searched, not a decline
    status, text, _ = await get(session, base + "/metrics")
    assert status == 200
    for name in (
        "callbot_questions_total",
        "callbot_answer_latency_seconds",
        "callbot_index_version_info",
        "callbot_index_passages",
        "callbot_index_builds_total",
        "callbot_index_build_seconds",
        "callbot_feedback_total",
    ):
        assert name in text
    got = samples(text)
    assert got[("callbot_questions_total", (("outcome", "answered"), ("platform", "test")))] == 2
    assert got[("callbot_questions_total", (("outcome", "declined"), ("platform", "other")))] == 1
    assert got[("callbot_questions_total", (("outcome", "replied"), ("platform", "test")))] == 1
    assert got[("callbot_answer_latency_seconds_count", ())] == 4
    assert got[("callbot_index_version_info", (("version", core.index_version),))] == 1
    assert got[("callbot_index_passages", ())] == len(core.serving.data.passages)


async def test_metrics_follow_a_hot_reload(served) -> None:
    core, metrics, _, base, session = served
    old = core.index_version
    report = App(core.settings, core).knowledge.add_bytes(
        "budget.md",
        b"# Budget\n\nThe Paris Call budget is funded by members. It pays for working groups.\n",
        Actor("test", "admin"),
        force=True,
    )
    metrics.observe_build(True, report.seconds)
    metrics.observe_build(False, 1.0)
    got = samples((await get(session, base + "/metrics"))[1])
    assert report.version != old
    assert got[("callbot_index_version_info", (("version", report.version),))] == 1
    assert ("callbot_index_version_info", (("version", old),)) not in got
    assert got[("callbot_index_passages", ())] == report.passages
    assert got[("callbot_index_builds_total", (("outcome", "ok"),))] == 1
    assert got[("callbot_index_builds_total", (("outcome", "failed"),))] == 1
    assert got[("callbot_index_build_seconds_count", ())] == 1


async def test_routes_can_share_an_existing_aiohttp_app(make_core) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="slack events here")

    app = web.Application()
    app.router.add_post("/slack/events", hello)
    add_health_routes(app, ready=lambda: True, core=make_core(), metrics=Metrics())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as session:
            assert (await get(session, f"http://127.0.0.1:{port}/healthz"))[0] == 200
            assert (await get(session, f"http://127.0.0.1:{port}/metrics"))[0] == 200
            async with session.post(f"http://127.0.0.1:{port}/slack/events") as resp:
                assert await resp.text() == "slack events here"
    finally:
        await runner.cleanup()


async def test_disabled_in_config_means_no_server(make_core) -> None:
    assert await start_from_config(MetricsConfig(enabled=False, port=0), lambda: True, make_core(), Metrics()) is None
    server = await start_from_config(MetricsConfig(enabled=True, port=0), lambda: True, make_core(), Metrics())
    assert server is not None and server.port > 0
    await server.stop()


async def test_a_taken_port_is_a_config_error(make_core) -> None:
    core = make_core()
    first = await start_health_server("127.0.0.1", 0, lambda: True, core, None)
    try:
        with pytest.raises(ConfigError, match="metrics.port"):
            await start_health_server("127.0.0.1", first.port, lambda: True, core, None)
    finally:
        await first.stop()


def test_registries_are_independent_and_outcomes_checked() -> None:
    a, b = Metrics(), Metrics()
    a.observe_answer("discord", "refused")
    a.observe_answer("discord", "error", 0.5)
    assert a.registry.get_sample_value("callbot_questions_total", {"platform": "discord", "outcome": "refused"}) == 1
    assert b.registry.get_sample_value("callbot_questions_total", {"platform": "discord", "outcome": "refused"}) is None
    assert a.registry.get_sample_value("callbot_answer_latency_seconds_count") == 1
    with pytest.raises(ValueError):
        a.observe_answer("discord", "maybe")


def test_a_failing_metrics_listener_never_breaks_answering(make_core) -> None:
    core = make_core()
    metrics = Metrics()
    metrics.attach(core)
    metrics.questions = None  # type: ignore[assignment]  # simulate a broken metrics backend
    answer = core.ask(Question("What is the Paris Call?", Actor("test", "u")))
    assert answer.passages


async def test_setup_ops_wires_everything_to_the_core(make_core, caplog) -> None:
    from bot.ops.wiring import setup_ops

    caplog.set_level("INFO", logger=LOGGER_NAME)
    core = make_core()
    ops = setup_ops(core, core.settings)
    with ops.in_flight:
        answer = await core.ask_async(Question("What is the Paris Call?", Actor("discord", "7")))
    ops.refused("discord", "!!!")
    ops.failed("slack", "What is the Paris Call?", 0.3)
    answer_id = ops.feedback.record_answer(answer, "discord", "7")
    ops.feedback.vote(answer_id, "discord", "7", True)
    ops.feedback.vote(answer_id, "discord", "7", True)
    sample = ops.metrics.registry.get_sample_value
    assert sample("callbot_questions_total", {"platform": "discord", "outcome": "answered"}) == 1
    assert sample("callbot_questions_total", {"platform": "discord", "outcome": "refused"}) == 1
    assert sample("callbot_questions_total", {"platform": "slack", "outcome": "error"}) == 1
    assert sample("callbot_feedback_total", {"vote": "helpful"}) == 1
    outcomes = [r.fields["outcome"] for r in caplog.records if r.name == LOGGER_NAME]
    assert outcomes == ["answered", "refused", "error"]
    assert ops.feedback.path == core.settings.index_path / "feedback.sqlite3"


async def test_ops_health_routes_follow_metrics_enabled(make_core) -> None:
    from bot.ops.wiring import setup_ops

    core = make_core(metrics={"enabled": False})
    ops, app = setup_ops(core, core.settings), web.Application()
    ops.add_health_routes(app, ready=lambda: True)
    assert await ops.start_health(lambda: True) is None
    assert [r.resource.canonical for r in app.router.routes()] == []

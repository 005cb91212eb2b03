"""Operating the Slack adapter: /healthz and /metrics in both modes, and `serve`'s wiring.

Everything goes over real sockets: the fake Slack, the adapter's health server (Socket Mode,
`metrics.port: 0`) or the app's own server (HTTP mode), scraped with aiohttp.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.slack.run import SlackSecrets, SlackService, serve
from bot.app import create_app
from tests.conftest import make_settings
from tests.fake_embedder import FakeEmbedder
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, all_text
from tests.test_slack_e2e import ADMIN, OFF_TOPIC, ON_TOPIC, fake, start_bot  # noqa: F401  (fixtures)
from tests.test_slack_feedback import click_of

pytestmark = pytest.mark.timeout(40)


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body


async def health_becomes(url: str, status: int, timeout: float = 10.0) -> dict[str, Any]:
    """Poll /healthz until it answers `status` (a reconnect takes a moment)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got, body = await get(url)
        if got == status:
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/healthz stayed {got} ({body}), expected {status}")
        await asyncio.sleep(0.05)


def questions(metrics_text: str) -> dict[tuple[str, str], float]:
    """callbot_questions_total by (platform, outcome)."""
    return {
        (s.labels["platform"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(metrics_text)
        if family.name == "callbot_questions"
        for s in family.samples
        if s.name == "callbot_questions_total"
    }


def feedback_votes(metrics_text: str) -> dict[str, float]:
    return {
        s.labels["vote"]: s.value
        for family in text_string_to_metric_families(metrics_text)
        if family.name == "callbot_feedback"
        for s in family.samples
        if s.name == "callbot_feedback_total"
    }


async def test_socket_mode_healthz_follows_the_connection(fake: FakeSlack, make_app: Callable[..., Any]) -> None:
    app = make_app(slack={"mode": "socket", "api_base_url": fake.api_url}, metrics={"port": 0})
    core = app.core
    service = SlackService(app, SlackSecrets(BOT_TOKEN, APP_TOKEN, None, None, None), app.ops)
    fake.hold_connections()  # Slack is slow to accept the websocket
    starting = asyncio.create_task(service.start())
    try:
        await fake.wait_until(lambda: fake.calls_to("apps.connections.open"), what="the connection attempt")
        while service.health_port is None:
            assert not starting.done(), starting
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{service.health_port}/healthz"
        status, body = await get(url)
        assert status == 503 and body["status"] == "starting" and body["platform_connected"] is False

        fake.release_connections()
        await asyncio.wait_for(starting, 10)
        body = await health_becomes(url, 200)
        assert body["status"] == "ok" and body["index_version"] == core.index_version

        fake.hold_connections()
        await fake.drop_connection()  # lost: slack_sdk reconnects, but Slack holds it back
        body = await health_becomes(url, 503)
        assert body["status"] == "unavailable" and body["platform_connected"] is False

        fake.release_connections()
        await fake.wait_connected(count=2, timeout=10)
        await health_becomes(url, 200)
        await fake.send_envelope("events_api", fake.event_body(fake.dm(ON_TOPIC)))
        await fake.wait_posts(1)  # and it answers on the new connection
    finally:
        fake.release_connections()
        starting.cancel()
        await service.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(url)


async def test_socket_mode_healthz_is_up_while_the_index_loads(fake: FakeSlack, tmp_path, knowledge_copy) -> None:
    settings = make_settings(
        tmp_path, knowledge_copy, slack={"mode": "socket", "api_base_url": fake.api_url}, metrics={"port": 0}
    )
    app = create_app(settings, embedder=FakeEmbedder())  # not started: the service loads it
    core = app.core
    loading, may_finish = threading.Event(), threading.Event()
    real_start = core.start

    def slow_start(*args: Any, **kwargs: Any) -> Any:
        loading.set()
        assert may_finish.wait(10)
        return real_start(*args, **kwargs)

    core.start = slow_start  # type: ignore[method-assign]
    service = SlackService(app, SlackSecrets(BOT_TOKEN, APP_TOKEN, None, None, None), app.ops)
    starting = asyncio.create_task(service.start())
    try:
        assert await asyncio.to_thread(loading.wait, 10)
        assert fake.calls_to("auth.test"), "the token is checked before the long wait"
        status, body = await get(f"http://127.0.0.1:{service.health_port}/healthz")
        assert status == 503 and body["status"] == "starting" and body["index_version"] is None
        may_finish.set()
        await asyncio.wait_for(starting, 10)
        body = await health_becomes(f"http://127.0.0.1:{service.health_port}/healthz", 200)
        assert body["index_version"] == core.index_version
    finally:
        may_finish.set()
        if not starting.done():
            await asyncio.wait_for(starting, 10)
        await service.stop()


async def test_http_mode_serves_health_and_metrics_on_the_apps_port(start_bot) -> None:
    bot = await start_bot("http")
    assert bot.service.health_port == bot.service.port
    base = f"http://127.0.0.1:{bot.service.port}"
    status, body = await get(base + "/healthz")
    assert status == 200 and body["index_version"] == bot.core.index_version and body["platform_connected"] is True
    await bot.event(bot.fake.mention(ON_TOPIC))
    await bot.fake.wait_posts(1)
    status, text = await get(base + "/metrics")
    assert status == 200 and questions(text)[("slack", "answered")] == 1
    await bot.service.stop()
    assert bot.service.ready() is False


async def test_metrics_count_slack_questions_by_outcome(start_bot) -> None:
    bot = await start_bot(limits={"rate_limit_questions": 2, "rate_limit_seconds": 60})
    fake, core = bot.fake, bot.core
    await bot.event(fake.mention(ON_TOPIC))
    await bot.event(fake.mention(OFF_TOPIC))
    posts = await fake.wait_posts(2)
    await bot.event(fake.mention(ON_TOPIC))  # the third within the minute: refused privately
    await fake.wait_until(lambda: fake.ephemerals(), what="the rate-limit notice")

    real_ask = core.ask_async

    async def failing_ask(question):
        if "explode" in question.text:
            raise RuntimeError("index file vanished")
        return await real_ask(question)

    core.ask_async = failing_ask  # type: ignore[method-assign]
    await bot.event(fake.dm("please explode", user="U0BOB", channel="D0BOB"))
    sorry = (await fake.wait_posts(3))[2].params
    assert sorry["channel"] == "D0BOB" and "went wrong" in sorry["text"]

    answered = next(p for p in posts if "Index version" in all_text(p.params) and "pizza" not in all_text(p.params))
    url = await bot.click(click_of(answered.params, "feedback_up"), message=answered)
    await fake.wait_responses(url)

    status, text = await get(f"http://127.0.0.1:{bot.service.health_port}/metrics")
    assert status == 200
    counts = questions(text)
    assert counts[("slack", "answered")] == 1 and counts[("slack", "declined")] == 1
    assert counts[("slack", "refused")] == 1 and counts[("slack", "error")] == 1
    assert feedback_votes(text)["helpful"] == 1


async def test_serve_exposes_its_health_port_and_wires_ops(fake: FakeSlack, make_app, monkeypatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    for name in ("SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    app = make_app(slack={"mode": "socket", "api_base_url": fake.api_url}, metrics={"port": 0})
    core = app.core
    started: asyncio.Future[SlackService] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(app, on_started=started.set_result))
    try:
        service = await asyncio.wait_for(started, 10)
        assert service.health_port and service.health_port != 9108
        base = f"http://127.0.0.1:{service.health_port}"
        body = await health_becomes(base + "/healthz", 200)
        assert body["index_version"] == core.index_version
        await fake.send_envelope("events_api", fake.event_body(fake.dm(OFF_TOPIC)))
        post = (await fake.wait_posts(1))[0].params
        assert {el["action_id"] for b in post["blocks"] if b["type"] == "actions" for el in b["elements"]} == {
            "feedback_up",
            "feedback_down",
        }
        _, text = await get(base + "/metrics")
        assert questions(text)[("slack", "declined")] == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(base + "/healthz")


async def test_http_mode_with_metrics_disabled_has_no_health_routes(start_bot) -> None:
    bot = await start_bot("http", metrics={"enabled": False})
    assert bot.service.health_port is None
    status, _ = await get(f"http://127.0.0.1:{bot.service.port}/healthz")
    assert status == 404


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_the_health_body_reveals_no_secrets(start_bot, mode: str) -> None:
    """The probe body says nothing a passer-by should not read: no tokens, no user ids."""
    bot = await start_bot(mode)
    status, body = await get(f"http://127.0.0.1:{bot.service.health_port}/healthz")
    assert status == 200
    text = str(body)
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, ADMIN):
        assert secret not in text


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_once_shutdown_begins_healthz_is_503_and_new_questions_are_turned_away(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    url = f"http://127.0.0.1:{bot.service.health_port}/healthz"
    assert (await get(url))[0] == 200
    bot.service.ops.in_flight.close()  # what SIGTERM does first (see test_slack_shutdown.py)
    status, body = await get(url)
    assert status == 503 and body["status"] == "unavailable"
    await bot.event(bot.fake.mention(ON_TOPIC))
    notice = (await bot.fake.wait_until(lambda: bot.fake.ephemerals(), what="the notice"))[0].params
    assert notice["user"] == "U0ALICE" and "restarting" in notice["text"]
    reply = await bot.answer_to(f"ask {ON_TOPIC}")
    assert reply["response_type"] == "ephemeral" and "restarting" in reply["text"]
    assert bot.fake.posts() == []
    _, text = await get(f"http://127.0.0.1:{bot.service.health_port}/metrics")
    assert questions(text)[("slack", "refused")] == 2 and ("slack", "answered") not in questions(text)

"""The fake Slack itself, driven by bare slack-bolt: if these fail, the adapter tests mean nothing."""

from __future__ import annotations

import time

import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_server import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    validate_blocks,
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def fake():
    slack = await FakeSlack().start()
    yield slack
    await slack.stop()


def _bare_app(fake: FakeSlack, **kw) -> AsyncApp:
    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url), **kw)

    @app.event("app_mention")
    async def echo(event, client):
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="pong")

    return app


async def test_bolt_socket_mode_round_trip(fake: FakeSlack) -> None:
    app = _bare_app(fake, signing_secret="")
    handler = AsyncSocketModeHandler(app, APP_TOKEN)
    await handler.connect_async()
    try:
        await fake.wait_connected()
        event = fake.mention("ping")
        envelope = await fake.send_envelope("events_api", fake.event_body(event))
        ack = await fake.wait_ack(envelope)
        assert ack.elapsed < 1.0
        post = (await fake.wait_posts(1))[0]
        assert post.params["thread_ts"] == event["ts"] and post.params["text"] == "pong"
        assert post.token == BOT_TOKEN
        assert [c.method for c in fake.calls][:1] == ["apps.connections.open"]
        assert fake.calls_to("auth.test"), "Bolt authorizes lazily with auth.test"
    finally:
        await handler.close_async()
    assert fake.problems == []


async def test_bolt_http_mode_signature_checked(fake: FakeSlack) -> None:
    app = _bare_app(fake, signing_secret=SIGNING_SECRET)
    runner = web.AppRunner(AsyncSlackAppServer(port=0, path="/slack/events", app=app).web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"
    try:
        body = fake.event_body(fake.mention("ping"))
        status, _, _ = await fake.post_event(url, body, secret="wrong-secret")
        assert status == 401
        status, _, _ = await fake.post_event(url, body, timestamp=int(time.time()) - 600)
        assert status == 401
        status, _, _ = await fake.post_event(url, body)
        assert status == 200
        await fake.wait_posts(1)
        assert len(fake.posts()) == 1
    finally:
        await runner.cleanup()


async def test_fake_is_strict_about_unknown_methods_and_tokens(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    from slack_sdk.errors import SlackApiError

    with pytest.raises(SlackApiError):
        await client.conversations_list()
    assert fake.problems == ["unexpected Web API method conversations.list"]
    fake.problems.clear()
    bad = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await bad.auth_test()
    ok = await client.auth_test()
    assert ok["user_id"] == BOT_USER_ID


def test_block_validator_catches_what_slack_refuses() -> None:
    assert validate_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}]) == []
    assert validate_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert validate_blocks([{"type": "divider"}] * 51)
    assert validate_blocks([{"type": "context", "elements": [{"type": "mrkdwn", "text": "a"}] * 11}])
    assert validate_blocks([{"type": "header", "text": {"type": "mrkdwn", "text": "a"}}])
    assert validate_blocks([{"type": "image"}])


def test_block_validator_catches_duplicate_action_ids_and_bad_styles() -> None:
    def btn(action_id: str, **kw) -> dict:
        return {
            "type": "button",
            "action_id": action_id,
            "value": "v",
            "text": {"type": "plain_text", "text": "b"},
            **kw,
        }

    assert validate_blocks([{"type": "actions", "elements": [btn("a"), btn("b", style="primary")]}]) == []
    assert validate_blocks([{"type": "actions", "elements": [btn("a"), btn("a")]}])
    assert validate_blocks([{"type": "actions", "elements": [btn("a", style="green")]}])


async def test_response_urls_are_checked_and_limited(fake: FakeSlack) -> None:
    import aiohttp

    url = fake.new_response_url()
    async with aiohttp.ClientSession() as http:
        for _ in range(6):
            async with http.post(url, json={"text": "hi", "response_type": "ephemeral"}) as resp:
                assert resp.status == 200
        async with http.post(fake.new_response_url(), json={"text": "hi", "response_type": "everyone"}):
            pass
    assert fake.problems == [
        f"response_url {url.rsplit('/', 1)[-1]} used more than 5 times",
        "response_url payload with response_type 'everyone'",
    ]
    fake.problems.clear()


async def test_clicks_on_a_post_must_name_one_of_its_buttons(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    blocks = [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "a", "value": "1", "text": {"type": "plain_text", "text": "A"}}
            ],
        }
    ]
    await client.chat_postMessage(channel="C0POLICY", text="t", blocks=blocks)
    post = fake.posts()[0]
    payload = fake.block_action_payload({"action_id": "a", "value": "1"}, message=post)
    assert payload["container"]["message_ts"] == post.response["ts"] and not payload["container"]["is_ephemeral"]
    with pytest.raises(AssertionError):
        fake.block_action_payload({"action_id": "a", "value": "2"}, message=post)

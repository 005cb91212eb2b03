"""`callbot run slack`'s entry points: tokens from the environment, one clear line when wrong."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.slack.run import run, serve
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

pytestmark = pytest.mark.timeout(30)
ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@pytest.fixture
async def fake():
    slack = await FakeSlack().start()
    yield slack
    await slack.stop()
    assert slack.problems == []


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _app(make_app, fake: FakeSlack, **slack):
    return make_app(
        slack={"api_base_url": fake.api_url, "host": "127.0.0.1", "port": 0, **slack}, metrics={"port": 0}
    )  # never a fixed port


async def _run_in_thread(app) -> int:
    return await asyncio.wait_for(asyncio.to_thread(run, app), 15)


async def test_missing_token_is_one_line_and_exit_2(make_app, fake, clean_env, capsys) -> None:
    code = await _run_in_thread(_app(make_app, fake))
    err = capsys.readouterr().err
    assert code == 2
    assert err == "callbot: SLACK_BOT_TOKEN is not set: Socket Mode needs the app's bot token (xoxb-…).\n"
    assert fake.calls == []


async def test_refused_bot_token_is_one_line_and_exit_2(make_app, fake, clean_env, capsys) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    code = await _run_in_thread(_app(make_app, fake))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "SLACK_BOT_TOKEN" in err and "invalid_auth" in err and "Traceback" not in err


async def test_refused_app_token_is_one_line_and_exit_2(make_app, fake, clean_env, capsys) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1-revoked")
    code = await _run_in_thread(_app(make_app, fake))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "SLACK_APP_TOKEN" in err and "invalid_auth" in err


async def test_http_mode_without_signing_secret(make_app, fake, clean_env, capsys) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    code = await _run_in_thread(_app(make_app, fake, mode="http"))
    assert code == 2 and "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


async def test_unreachable_api_is_one_line_and_exit_1(make_app, clean_env, capsys) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    dead = await FakeSlack().start()
    url = dead.api_url
    await dead.stop()  # nothing listens there any more
    code = await _run_in_thread(make_app(slack={"api_base_url": url}))
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("callbot: cannot reach the Slack API") and err.count("\n") == 1


async def test_serve_reads_tokens_from_the_env_and_answers(make_app, fake, clean_env) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    app = _app(make_app, fake)
    task = asyncio.ensure_future(serve(app))
    try:
        await fake.wait_connected()
        await fake.send_envelope("events_api", fake.event_body(fake.dm("Who launched the Paris Call?")))
        post = (await fake.wait_posts(1))[0]
        assert post.token == BOT_TOKEN and post.params["channel"] == "D0ALICE"
        assert len(fake.calls_to("apps.connections.open")) == 1, "the URL opened at start is the one used"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

"""Attacks on Slack HTTP mode (issue 15, item 4 and the command replay).

The adapter runs as `callbot run slack` does, in a child process with the CLI's logging on
stderr (a file here, so its growth can be measured), against the fake Slack in this process.
Requests come from a real HTTP client: forged, malformed, oversized, and replayed ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import REPO
from tests.fakes.slack_server import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.test_slack_e2e import ADMIN, ON_TOPIC, fake, start_bot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timeout(90)

PROGRAM = """
import shutil, sys
from pathlib import Path

from bot.adapters.slack.run import run
from bot.app import create_app
from bot.logging_setup import setup_logging
from tests.conftest import KNOWLEDGE, make_settings
from tests.fake_embedder import FakeEmbedder

tmp = Path.cwd()
shutil.copytree(KNOWLEDGE, tmp / "knowledge")
settings = make_settings(tmp, tmp / "knowledge", metrics={"port": 0},
                         slack={"mode": "http", "api_base_url": sys.argv[1], "host": "127.0.0.1", "port": 0})
setup_logging(settings.logging, settings=settings)
parts = create_app(settings, embedder=FakeEmbedder())
parts.core.start()
sys.exit(run(parts))
"""


class Child:
    """`callbot run slack` in HTTP mode; its stderr (the log) goes to a file."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path, url: str) -> None:
        self.proc, self.log, self.url = proc, log, url

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        async with aiohttp.ClientSession() as http, http.post(self.url, data=body, headers=headers) as resp:
            await resp.read()
            return resp.status


@pytest.fixture
async def child(tmp_path: Path) -> AsyncIterator[Child]:
    slack = await FakeSlack().start()
    script = tmp_path / "program.py"
    script.write_text(PROGRAM, encoding="utf-8")
    log = tmp_path / "stderr.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        env.pop(name, None)
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            slack.api_url,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"HTTP mode on 127\.0\.0\.1:(\d+)(/\S+)", log.read_text(errors="replace"))):
            assert proc.returncode is None and time.monotonic() < deadline, log.read_text(errors="replace")
            await asyncio.sleep(0.1)
        yield Child(proc, log, f"http://127.0.0.1:{found[1]}{found[2]}")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await slack.stop()


def _headers(content_type: str, timestamp: str | None = None, signature: str = "v0=" + "0" * 64) -> dict[str, str]:
    ts = str(int(time.time())) if timestamp is None else timestamp
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


MALFORMED = {
    "malformed JSON": (b'{"type": "event_callback", "event": {', "application/json", None),
    "bad payload= form": (b"payload=%7Bnot-json", "application/x-www-form-urlencoded", None),
    "binary payload= form": (b"payload=" + bytes(range(256)), "application/x-www-form-urlencoded", None),
    "binary body": (bytes(range(256)) * 4, "application/octet-stream", None),
    "timestamp abc": (b'{"type": "url_verification", "challenge": "x"}', "application/json", "abc"),
    "huge timestamp": (b'{"type": "url_verification"}', "application/json", "9" * 40),
}


async def test_malformed_unsigned_requests_get_401_and_no_traceback(child: Child) -> None:
    for what, (body, content_type, timestamp) in MALFORMED.items():
        status = await child.post(body, _headers(content_type, timestamp))
        assert status == 401, what
    status = await child.post(b"{}", {"Content-Type": "application/json"})  # no signature headers at all
    assert status == 401
    text = child.log_text()
    assert "Traceback" not in text and "Error handling request" not in text, text[-3000:]
    refusals = [line for line in text.splitlines() if "refused a request" in line]
    assert len(refusals) == len(MALFORMED) + 1 and all(len(line) < 300 for line in refusals)


async def test_forged_megabyte_bodies_do_not_fill_the_log(child: Child) -> None:
    before = child.log_size()
    body = json.dumps({"type": "event_callback", "padding": "A" * 1_000_000}).encode()
    for _ in range(20):
        assert await child.post(body, _headers("application/json", signature="v0=00")) == 401
    grown = child.log_size() - before
    assert grown < 100_000, f"the log grew by {grown} bytes"
    assert "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" not in child.log_text()


async def test_oversized_body_is_refused_before_verification(child: Child) -> None:
    body = b"x" * (2 * 1_048_576)
    assert await child.post(body, _headers("application/json")) == 413
    assert "Traceback" not in child.log_text()


# -- signed requests, in process (the same HTTP-mode app, real sockets) ------------------------------
def _signed(fake_slack: FakeSlack, body: str, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return _headers(content_type, ts, fake_slack.sign(SIGNING_SECRET, ts, body))


async def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


async def test_a_replayed_signed_command_runs_once(start_bot, fake: FakeSlack) -> None:
    bot = await start_bot("http")
    payload = fake.command_payload("principles")
    body = urllib.parse.urlencode(payload)
    headers = _signed(fake, body, "application/x-www-form-urlencoded")
    assert await _post(bot.url, body.encode(), headers) == 200
    await fake.wait_responses(payload["response_url"])
    assert await _post(bot.url, body.encode(), headers) == 200  # the same signed request, again
    await asyncio.sleep(1.0)
    assert len(fake.responses_to(payload["response_url"])) == 1, "the replay ran the command again"


async def test_a_replayed_button_click_runs_once(start_bot, fake: FakeSlack) -> None:
    bot = await start_bot("http")
    url, _ = await bot.command(f"ask {ON_TOPIC}")
    answer = (await fake.wait_responses(url))[-1].body
    button = next(
        el
        for b in answer["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el["action_id"] == "feedback_up"
    )
    payload = fake.block_action_payload({"action_id": button["action_id"], "value": button["value"]})
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    headers = _signed(fake, body, "application/x-www-form-urlencoded")
    for _ in range(2):
        assert await _post(bot.url, body.encode(), headers) == 200
    await fake.wait_responses(payload["response_url"])
    await asyncio.sleep(1.0)
    assert [r.body["text"] for r in fake.responses_to(payload["response_url"])] == ["Thanks — noted as helpful."]


async def test_a_replayed_admin_command_runs_once(start_bot, fake: FakeSlack) -> None:
    bot = await start_bot("http")
    payload = fake.command_payload("reindex", user=ADMIN)
    body = urllib.parse.urlencode(payload)
    headers = _signed(fake, body, "application/x-www-form-urlencoded")
    for _ in range(2):
        assert await _post(bot.url, body.encode(), headers) == 200
    await fake.wait_responses(payload["response_url"])
    await asyncio.sleep(1.5)
    builds = [e for e in bot.app.knowledge.audit.entries() if e.action == "build"]
    assert len(builds) == 1, builds


async def test_signed_but_malformed_body_is_400_not_500(start_bot, fake: FakeSlack) -> None:
    bot = await start_bot("http")
    for body, content_type in (
        ('{"type": ', "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    ):
        assert await _post(bot.url, body.encode(), _signed(fake, body, content_type)) == 400
    status, _, _ = await fake.post_event(bot.url, fake.event_body(fake.mention(ON_TOPIC)))
    assert status == 200, "a proper request still gets through"
    await fake.wait_posts(1)

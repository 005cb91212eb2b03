"""`callbot run slack` stops gracefully: SIGTERM lets the answer in flight finish, exits 0.

The adapter runs in a child process (a real signal, a real exit code) against the fake Slack
in this one; its embedder is slowed down after the index is built so that an answer is
still being computed when the signal arrives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack, all_text
from tests.test_slack_e2e import OFF_TOPIC, ON_TOPIC

pytestmark = pytest.mark.timeout(60)

PROGRAM = """
import logging, shutil, sys, time
from pathlib import Path

from bot.adapters.slack.run import run
from bot.app import create_app
from tests.conftest import KNOWLEDGE, make_settings
from tests.fake_embedder import FakeEmbedder

API_URL, ANSWER_SECONDS = sys.argv[1], float(sys.argv[2])


class SlowEmbedder(FakeEmbedder):
    delay = 0.0

    def embed_batch(self, texts):
        if self.delay:
            print("EMBEDDING", flush=True)
            time.sleep(self.delay)
        return super().embed_batch(texts)


logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
tmp = Path.cwd()
shutil.copytree(KNOWLEDGE, tmp / "knowledge")
settings = make_settings(tmp, tmp / "knowledge", slack={"mode": "socket", "api_base_url": API_URL},
                         metrics={"port": 0})
embedder = SlowEmbedder()
app = create_app(settings, embedder=embedder)
app.core.start()
embedder.delay = ANSWER_SECONDS
code = run(app)
print("EXIT", code, flush=True)
sys.exit(code)
"""


class Lines:
    """Reads a child's stream as it comes (so the pipe never fills) and waits for a line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self.task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()

    async def wait_for(self, text: str, timeout: float = 30) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: any(text in line for line in self.lines)), timeout)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


async def test_sigterm_lets_the_answer_in_flight_finish_then_exits_0(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    script = tmp_path / "program.py"
    script.write_text(PROGRAM, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    for name in ("SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        env.pop(name, None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        fake.api_url,
        "1.5",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = Lines(proc.stdout), Lines(proc.stderr)  # type: ignore[arg-type]
    try:
        await fake.wait_connected(timeout=30)
        await fake.send_envelope("events_api", fake.event_body(fake.dm(ON_TOPIC)))
        await out.wait_for("EMBEDDING")  # the answer is being computed
        proc.send_signal(signal.SIGTERM)
        await err.wait_for("SIGTERM received")
        assert fake.connected, "still connected while the answer finishes"
        await fake.send_envelope("events_api", fake.event_body(fake.dm(OFF_TOPIC, user="U0BOB", channel="D0BOB")))
        code = await asyncio.wait_for(proc.wait(), 30)
        await asyncio.gather(out.task, err.task)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()
    assert code == 0, err.text
    assert "EXIT 0" in out.lines and "Traceback" not in err.text, err.text
    assert fake.problems == []
    alice_posts = [p for p in fake.posts() if p.params["channel"] == "D0ALICE"]
    alice = [p.params for p in alice_posts]
    bob = [p for p in fake.posts() if p.params["channel"] == "D0BOB"]
    assert len(alice) == 1 and "\n— " in all_text(alice[0]), "the answer in flight was posted, cited"
    assert {el["action_id"] for b in alice[0]["blocks"] if b["type"] == "actions" for el in b["elements"]} == {
        "callbot_passages",
        "feedback_up",
        "feedback_down",
    }
    assert len(bob) == 1 and "restarting" in bob[0].params["text"], "a new question was turned away politely"
    assert bob[0].at < alice_posts[0].at, "the answer was still in flight when the signal came"
    assert not fake.connected

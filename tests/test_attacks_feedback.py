"""Attacks on the feedback store (issue 15, item 5): `feedback.sqlite3` locked by another process.

A child process holds `BEGIN EXCLUSIVE` on the real database file while questions are asked
and buttons clicked through the real adapters (against the fake Slack and fake Discord).
An answer whose row cannot be stored goes out without buttons, a vote is retried for a
bounded time and the voter is told if it still fails, and the event loop keeps ticking.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.slack.blocks import FEEDBACK_UP
from bot.adapters.slack.feedback import NOT_SAVED
from tests.fakes.slack_server import all_text
from tests.test_slack_e2e import ON_TOPIC, fake, start_bot  # noqa: F401  (fixtures)
from tests.test_slack_feedback import buttons, click_of, votes

pytestmark = pytest.mark.timeout(60)
MAX_LATE = 1.0  # seconds a 50 ms heartbeat may ever be late
VOTE_WAIT_SECONDS = 5.0  # the store's bounded wait for a vote (a margin is added where it is awaited)

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


class Lock:
    """An exclusive SQLite lock on `path`, held by another process until `release()`."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def hold(cls, path: Path) -> Lock:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HOLDER, str(path), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert proc.stdout is not None and (await proc.stdout.readline()).strip() == b"LOCKED"
        return cls(proc)

    async def release(self) -> None:
        if self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            await self.proc.wait()


class Heartbeat:
    """A coroutine ticking every 50 ms; `worst` is how late a tick ever was."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.05)
            self.worst = max(self.worst, loop.time() - started - 0.05)

    def stop(self) -> float:
        self.task.cancel()
        return self.worst


@pytest.fixture
async def locks() -> AsyncIterator[list[Lock]]:
    held: list[Lock] = []
    yield held
    for lock in held:
        await lock.release()


# -- Slack ------------------------------------------------------------------------------------------
async def test_slack_answers_during_a_lock_go_without_buttons_and_the_loop_keeps_ticking(start_bot, locks) -> None:
    bot = await start_bot()
    store = bot.service.ops.feedback
    locks.append(await Lock.hold(store.path))
    beat = Heartbeat()
    acks = [
        await bot.event(bot.fake.dm(f"{ON_TOPIC} ({i})", user=f"U0USER{i}", channel=f"D0USER{i}")) for i in range(5)
    ]
    posts = [p.params for p in await bot.fake.wait_posts(5, timeout=30)]
    assert beat.stop() < MAX_LATE, "the event loop stalled while the database was locked"
    assert max(acks) < MAX_LATE
    assert all("\n— " in all_text(p) for p in posts), "every question was answered, cited"
    assert [FEEDBACK_UP in buttons(p) for p in posts] == [False] * 5, "buttons on answers that were not stored"
    await locks[0].release()
    await bot.event(bot.fake.dm(ON_TOPIC, user="U0LATER", channel="D0LATER"))
    later = (await bot.fake.wait_posts(6))[-1].params
    assert FEEDBACK_UP in buttons(later), "once the lock is gone, answers carry buttons again"


async def test_slack_vote_during_a_short_lock_is_retried_and_kept(start_bot, locks) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    locks.append(await Lock.hold(bot.service.ops.feedback.path))
    beat = Heartbeat()
    url = await bot.click(click_of(post.params, FEEDBACK_UP), message=post)
    assert bot.last_ack < MAX_LATE
    await asyncio.sleep(1.0)
    await locks[0].release()  # well within the vote's bounded wait
    reply = (await bot.fake.wait_responses(url, timeout=VOTE_WAIT_SECONDS + 5))[0].body
    assert beat.stop() < MAX_LATE
    assert reply["text"] == "Thanks — noted as helpful."
    assert votes(bot) == (1, 0)


async def test_slack_vote_during_a_long_lock_is_reported_not_lost_silently(start_bot, locks) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    locks.append(await Lock.hold(bot.service.ops.feedback.path))
    beat = Heartbeat()
    url = await bot.click(click_of(post.params, FEEDBACK_UP), message=post)
    reply = (await bot.fake.wait_responses(url, timeout=VOTE_WAIT_SECONDS + 10))[0].body
    assert beat.stop() < MAX_LATE
    assert reply["text"] == NOT_SAVED and reply["response_type"] == "ephemeral"
    await locks[0].release()
    url = await bot.click(click_of(post.params, FEEDBACK_UP), message=post)  # the voter tries again
    assert (await bot.fake.wait_responses(url))[0].body["text"] == "Thanks — noted as helpful."
    assert votes(bot) == (1, 0)

"""Discord operations end to end: feedback buttons and votes, /gaps, /healthz and /metrics,
graceful shutdown. Real discord.py, a real core (fake embedder), the fake Discord over
127.0.0.1 sockets, the health server on a free port; votes are read back from the store."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.discord.admin import REFUSAL
from bot.adapters.discord.delivery import SORRY
from bot.adapters.discord.feedback import VOTE_FAILED
from bot.ops.shutdown import ShuttingDown
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord
from tests.test_discord_adapter import (  # noqa: F401  (fake and start_bot are fixtures)
    ANSWERABLE,
    OFF_TOPIC,
    Running,
    audited_refusals,
    fake,
    mention,
    posts_to,
    start_bot,
    wait_posts,
)

pytestmark = pytest.mark.timeout(30)
REPO = Path(__file__).resolve().parents[1]
BUTTON_ID = re.compile(r"fb:[A-Za-z0-9_-]{12}:(up|down)")


def buttons(message: dict) -> list[dict]:
    return [b for row in message.get("components") or [] for b in row["components"]]


def vote_ids(message: dict) -> tuple[str, str]:
    """The helpful / not helpful custom_ids of an answer's buttons (checked on the way)."""
    found = [b for b in buttons(message) if b["custom_id"].startswith("fb:")]
    assert [b["label"] for b in found] == ["Helpful", "Not helpful"]
    up, down = (b["custom_id"] for b in found)
    assert BUTTON_ID.fullmatch(up) and BUTTON_ID.fullmatch(down)
    assert up.endswith(":up") and down.endswith(":down") and up[:-3] == down[:-5]  # one answer id
    return up, down


def stored_message(fake: FakeDiscord, body: dict) -> dict:
    """The message Discord created from a request body (the fake keeps them in order)."""
    sent = [
        m
        for m in fake.bot_messages.values()
        if m["components"] == (body.get("components") or [])
        and m["embeds"] == (body.get("embeds") or [])
        and m["content"] == (body.get("content") or "")
    ]
    assert sent, body
    return sent[-1]


def votes(bot: Running) -> tuple[int, int]:
    """(helpful, not helpful) over every answer the store holds."""
    rows = bot.app.ops.feedback.helpful_rate_by_day_and_version()
    return sum(r.helpful for r in rows), sum(r.not_helpful for r in rows)


async def get(bot: Running, path: str) -> tuple[int, str]:
    assert bot.app.health is not None, "the health server is not running"
    url = f"http://127.0.0.1:{bot.app.health.port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.text()


def question_counts(text: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["platform"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "callbot_questions"
        for s in family.samples
        if s.name == "callbot_questions_total"
    }


async def until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = 10) -> None:
    """Poll `predicate` (plain or async) until it is true."""
    deadline = time.monotonic() + timeout
    while not (await result if inspect.isawaitable(result := predicate()) else result):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


# -- feedback buttons -------------------------------------------------------------------------
async def test_every_answer_carries_the_two_buttons(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await mention(fake, ANSWERABLE)
    await mention(fake, OFF_TOPIC, user=fake.BOB)  # declined answers are voted on too
    await mention(fake, "What does the Call say about hack-back?", channel=fake.THREAD)
    dm = fake.dm_channel(fake.ALICE)
    await fake.send_message(fake.ALICE, dm, ANSWERABLE)
    public = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE}), 1)
    private = await fake.wait_answered(await fake.invoke("ask", {"question": OFF_TOPIC, "private": True}), 1)
    # Two users' questions are answered concurrently: either may be posted first.
    answered, declined = sorted(await wait_posts(fake, fake.GENERAL, 2), key=lambda m: not m["embeds"])
    [in_thread], [in_dm] = await wait_posts(fake, fake.THREAD, 1), await wait_posts(fake, dm, 1)
    assert answered["embeds"] and not declined["embeds"]
    answers = [answered, declined, in_thread, in_dm, public.followups[0], private.followups[0]]
    ids = {vote_ids(message)[0] for message in answers}
    assert len(ids) == len(answers)  # one recorded answer per message
    assert private.followups[0]["flags"] & EPHEMERAL
    rows = bot.app.ops.feedback.helpful_rate_by_day_and_version()
    assert [(r.index_version, r.answers, r.declined) for r in rows] == [(bot.core.index_version, 6, 2)]
    assert bot.app.client.persistent_views == []  # clicks are routed by custom_id: nothing kept per message


async def test_refusals_carry_no_buttons(fake: FakeDiscord, start_bot) -> None:
    await start_bot(limits={"max_question_chars": 40})
    await mention(fake, "Which states and companies supported the Paris Call in 2018?")
    await mention(fake, "")
    for reply in await wait_posts(fake, fake.GENERAL, 2):
        assert reply["content"] and not buttons(reply)


async def test_small_talk_gets_a_reply_without_buttons(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await mention(fake, "thanks!")
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert "You're welcome." in reply["content"] and not buttons(reply)
    assert bot.app.ops.feedback.gap_rows() == []  # nothing the bot failed to answer


async def test_votes_count_once_per_user_and_can_change(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    up, down = vote_ids(body)
    message = stored_message(fake, body)

    first = await fake.wait_answered(await fake.click(message, up, user_id=fake.BOB), 0)
    assert first.callback["type"] == 4 and first.callback["data"]["flags"] == EPHEMERAL
    assert "helpful" in first.callback["data"]["content"] and first.followups == []
    assert votes(bot) == (1, 0)
    again = await fake.wait_answered(await fake.click(message, up, user_id=fake.BOB), 0)
    assert again.callback["data"]["content"] != first.callback["data"]["content"]  # "already noted"
    assert votes(bot) == (1, 0)
    changed = await fake.wait_answered(await fake.click(message, down, user_id=fake.BOB), 0)
    assert "not helpful" in changed.callback["data"]["content"] and changed.callback["data"]["flags"] == EPHEMERAL
    assert votes(bot) == (0, 1)
    await fake.wait_answered(await fake.click(message, up, user_id=fake.ALICE), 0)
    assert votes(bot) == (1, 1)
    status, text = await get(bot, "/metrics")  # repeated clicks are not counted there either
    assert status == 200
    assert 'callbot_feedback_total{vote="helpful"} 2.0' in text
    assert 'callbot_feedback_total{vote="not_helpful"} 1.0' in text


async def test_vote_on_a_private_answer(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    private = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE, "private": True}), 1)
    _, down = vote_ids(private.followups[0])
    clicked = await fake.wait_answered(await fake.click(stored_message(fake, private.followups[0]), down), 0)
    assert clicked.callback["data"]["flags"] == EPHEMERAL
    assert votes(bot) == (0, 1)


async def test_buttons_still_work_after_a_restart(fake: FakeDiscord, start_bot) -> None:
    before = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    before.task.cancel()
    await asyncio.gather(before.task, return_exceptions=True)
    after = await start_bot()  # a new process would look the same: same index folder, same database
    up, _ = vote_ids(body)
    clicked = await fake.wait_answered(await fake.click(stored_message(fake, body), up), 0)
    assert clicked.callback["data"]["flags"] == EPHEMERAL
    assert votes(after) == (1, 0)


async def test_store_failures_never_cost_an_answer(fake: FakeDiscord, start_bot, monkeypatch) -> None:
    bot = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bot.app.ops.feedback, "vote", broken)
    clicked = await fake.wait_answered(await fake.click(stored_message(fake, body), vote_ids(body)[0]), 0)
    assert clicked.callback["data"]["content"] == VOTE_FAILED and clicked.callback["data"]["flags"] == EPHEMERAL
    monkeypatch.setattr(bot.app.ops.feedback, "record_answer", broken)
    await mention(fake, ANSWERABLE, user=fake.BOB)
    _, second = await wait_posts(fake, fake.GENERAL, 2)
    assert second["embeds"]  # the answer, without vote buttons (its Sources button needs no store)
    assert [b["label"] for b in buttons(second)] == [b["label"] for b in buttons(body)][:-2] == ["Sources"]


# -- /gaps ----------------------------------------------------------------------------------------
async def test_gaps_lists_declined_questions_for_admins_only(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    empty = await fake.wait_answered(await fake.invoke("gaps", user_id=fake.ADMIN), 1)
    assert "No gaps" in empty.followups[0]["content"]
    await mention(fake, OFF_TOPIC)
    await mention(fake, OFF_TOPIC, user=fake.BOB)
    await mention(fake, ANSWERABLE)
    await wait_posts(fake, fake.GENERAL, 3)

    shown = await fake.wait_answered(await fake.invoke("gaps", {"limit": 5}, user_id=fake.ADMIN), 1)
    assert shown.callback == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert shown.followups[0]["flags"] & EPHEMERAL
    [embed] = shown.followups[0]["embeds"]
    first = embed["description"].split("\n")
    assert first[0] == f"**1. {OFF_TOPIC}**" and "asked 2×" in first[1] and "declined 2" in first[1]
    assert "Paris Call" not in embed["description"]  # the answered question is no gap

    refused = await fake.wait_answered(await fake.invoke("gaps", user_id=fake.BOB), 0)
    assert refused.callback["data"]["content"] == REFUSAL and refused.callback["data"]["flags"] == EPHEMERAL
    assert refused.followups == []
    [entry] = await audited_refusals(bot.knowledge, 1)
    assert entry.action == "gaps" and entry.user_id == str(fake.BOB)


# -- health and metrics ---------------------------------------------------------------------------
async def test_healthz_follows_the_gateway(fake: FakeDiscord, start_bot) -> None:
    fake.gateway_open.clear()  # hold READY: the bot is connecting
    bot = await start_bot(wait_ready=False)
    status, text = await get(bot, "/healthz")
    assert status == 503 and json.loads(text)["status"] == "starting"
    fake.gateway_open.set()
    await until(lambda: _status_is(bot, 200))
    status, text = await get(bot, "/healthz")
    assert json.loads(text)["index_version"] == bot.core.index_version
    assert bot.core.index_version

    fake.gateway_open.clear()
    await fake.drop_connection()  # the bot reconnects and resumes, once Discord lets it
    await until(lambda: _status_is(bot, 503))
    status, text = await get(bot, "/healthz")
    assert json.loads(text)["status"] == "unavailable"
    fake.gateway_open.set()
    await until(lambda: _status_is(bot, 200))
    await mention(fake, ANSWERABLE)  # and it answers again
    await wait_posts(fake, fake.GENERAL, 1)


async def _status_is(bot: Running, wanted: int) -> bool:
    return (await get(bot, "/healthz"))[0] == wanted


async def test_metrics_count_discord_questions_by_outcome(fake: FakeDiscord, start_bot, monkeypatch) -> None:
    bot = await start_bot(limits={"rate_limit_questions": 2, "rate_limit_seconds": 60, "max_question_chars": 80})
    await mention(fake, ANSWERABLE)
    await mention(fake, OFF_TOPIC)
    await mention(fake, "x" * 90)  # too long: refused (and not counted against the rate limit)
    await mention(fake, ANSWERABLE)  # Alice's third: rate-limited
    await wait_posts(fake, fake.GENERAL, 3)
    await wait_posts(fake, fake.dm_channel(fake.ALICE), 1)
    await fake.wait_answered(await fake.invoke("ask", {"question": "  ?  "}, user_id=fake.BOB), 0)  # no words

    async def broken(question):
        raise RuntimeError("index file vanished")

    monkeypatch.setattr(bot.core, "ask_async", broken)
    await mention(fake, ANSWERABLE, user=fake.BOB)
    [*_, sorry] = await wait_posts(fake, fake.GENERAL, 4)
    assert sorry["content"] == SORRY and not buttons(sorry)
    status, text = await get(bot, "/metrics")
    assert status == 200
    assert question_counts(text) == {
        ("discord", "answered"): 1,
        ("discord", "declined"): 1,
        ("discord", "refused"): 3,
        ("discord", "error"): 1,
    }
    assert f'callbot_index_version_info{{version="{bot.core.index_version}"}} 1.0' in text


# -- shutdown -------------------------------------------------------------------------------------
async def test_shutdown_finishes_the_answer_in_flight(fake: FakeDiscord, start_bot, monkeypatch) -> None:
    bot = await start_bot()
    release = asyncio.Event()
    real_ask = bot.core.ask_async

    async def held(question):  # an answer that takes as long as the test wants
        await release.wait()
        return await real_ask(question)

    monkeypatch.setattr(bot.core, "ask_async", held)
    asked = await mention(fake, ANSWERABLE)
    in_flight = bot.app.ops.in_flight
    await until(lambda: in_flight.count == 1)
    bot.app.shutdown.trigger()  # what SIGTERM does

    assert (await get(bot, "/healthz"))[0] == 503  # out of rotation at once
    await mention(fake, ANSWERABLE, user=fake.BOB)  # new questions are turned away politely
    late = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE}, user_id=fake.BOB), 0)
    assert late.callback["data"]["content"] == str(ShuttingDown()) and late.callback["data"]["flags"] == EPHEMERAL
    [notice] = await wait_posts(fake, fake.GENERAL, 1)
    assert notice["content"] == str(ShuttingDown())
    assert not bot.task.done()

    release.set()
    [_, answer] = await wait_posts(fake, fake.GENERAL, 2)
    assert answer["message_reference"]["message_id"] == int(asked["id"]) and answer["embeds"]
    vote_ids(answer)
    await asyncio.wait_for(bot.task, 10)  # serve returns normally: no exception, no cancellation
    assert bot.app.client.is_closed() and in_flight.count == 0


SIGTERM_PROGRAM = """
import os, shutil, sys, threading, time
from pathlib import Path
from bot.adapters.discord.run import run
from bot.app import create_app
from tests.conftest import KNOWLEDGE, make_settings
from tests.fake_embedder import FakeEmbedder


class SlowEmbedder(FakeEmbedder):
    delay = 0.0

    def embed_batch(self, texts):
        if self.delay:
            print("ANSWERING", flush=True)
            time.sleep(self.delay)
        return super().embed_batch(texts)


tmp = Path.cwd()
shutil.copytree(KNOWLEDGE, tmp / "knowledge")
settings = make_settings(tmp, tmp / "knowledge", metrics={"port": 0}, discord={
    "api_base_url": sys.argv[1], "gateway_url": sys.argv[2], "sync_commands": False})
embedder = SlowEmbedder()
app = create_app(settings, embedder=embedder)
app.core.start()
embedder.delay = 1.0
print("EXIT", run(app), flush=True)
"""


async def test_sigterm_lets_the_answer_finish_then_exits_0(fake: FakeDiscord, tmp_path: Path) -> None:
    env = {**os.environ, "DISCORD_TOKEN": fake.TOKEN, "PYTHONPATH": str(REPO)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SIGTERM_PROGRAM,
        fake.api_base_url,
        fake.gateway_url,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(fake.ready.wait(), 20)  # connected; the mention comes after the guild
        asked = await mention(fake, ANSWERABLE)
        assert (await asyncio.wait_for(proc.stdout.readline(), 10)).strip() == b"ANSWERING"
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert out.decode().strip().splitlines()[-1] == "EXIT 0"
    assert b"Traceback" not in err
    [answer] = posts_to(fake, fake.GENERAL)
    assert answer["message_reference"]["message_id"] == int(asked["id"]) and answer["embeds"]

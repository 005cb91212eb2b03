"""Two replicas of `callbot run slack` (HTTP mode, separate processes) behind one fake Slack,
sharing a real PostgreSQL and a real Redis, as a load balancer would spread Slack's requests.

One pair of replicas serves the whole module (starting them costs seconds); each test uses its
own users, so the shared rate limit of one test does not reach into another. The last test
kills one replica with SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import create_engine, func, select

from bot.adapters.slack.blocks import FEEDBACK_UP
from bot.storage.schema import answers, audit, votes
from tests.conftest import KNOWLEDGE
from tests.fakes.slack_server import (
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_ID,
    FakeSlack,
    all_text,
)
from tests.support.replicas import Replica, callbot_cli, install, replica_env, start_replica, stop_replica
from tests.support.servers import Postgres, Redis
from tests.test_slack_feedback import click_of

pytestmark = [pytest.mark.timeout(120), pytest.mark.asyncio(loop_scope="module")]
ON_TOPIC = "Who launched the Paris Call for Trust and Security in Cyberspace?"
ADMIN = "U0ADMIN"
RATE = 4  # questions per person per 60 s, across both replicas
SATELLITES = b"# Satellite ground station security\n\nIn 2026 the Orbital Ground Station Pact bound operators of satellite ground stations to report intrusions within 24 hours.\n\nThe pact was signed in Reykjavik by eleven operators.\n"


@dataclass
class Pair:
    fake: FakeSlack
    a: Replica
    b: Replica
    env: dict[str, str]
    root: Path
    db_url: str
    users: list[str] = field(default_factory=list)

    def user(self) -> str:
        """A fresh user (its own rate-limit budget)."""
        user = f"U0T{len(self.users):04d}"
        self.users.append(user)
        self.fake.add_user(user)
        return user

    async def ask(self, replica: Replica, text: str, user: str) -> dict[str, Any]:
        payload = self.fake.command_payload(f"ask {text}", user=user)
        status, _, _ = await self.fake.post_command(replica.url, payload)
        assert status == 200
        return (await self.fake.wait_responses(payload["response_url"], timeout=15))[-1].body

    def count(self, table) -> int:  # type: ignore[no-untyped-def]
        with create_engine(self.db_url.replace("+psycopg", "+psycopg")).connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pair(
    postgres_server: Postgres, redis_server: Redis, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pair]:
    root = tmp_path_factory.mktemp("replicas")
    shutil.copytree(KNOWLEDGE, root / "knowledge")  # the shared volume: documents and index
    db_url = postgres_server.new_database()
    redis_server.flush()
    fake = await FakeSlack().start()
    fake.add_user(ADMIN)
    env = replica_env(
        root,
        fake,
        db_url=db_url,
        redis_url=redis_server.url(),
        CALLBOT_SLACK__ADMIN_USER_IDS=json.dumps([ADMIN]),
        CALLBOT_LIMITS__RATE_LIMIT_QUESTIONS=str(RATE),
        CALLBOT_LIMITS__RATE_LIMIT_SECONDS="60",
        CALLBOT_KNOWLEDGE_OPS__WATCH_INTERVAL_SECONDS="600",  # notices, not polling, must carry reloads
    )
    a = await start_replica("A", env, root)  # builds the first version
    b = await start_replica("B", env, root)  # loads it
    pair = Pair(fake, a, b, env, root, db_url)
    try:
        fake.add_oauth_code("code-main", TEAM_ID, BOT_TOKEN, BOT_USER_ID, BOT_ID)
        status, text, _ = await install(a, a, "code-main")
        assert status == 200, text
        yield pair
    finally:
        for replica in (a, b):
            await stop_replica(replica)
        await fake.stop()


async def test_a_later_replica_serves_the_same_version_without_building(pair: Pair) -> None:
    a, b = await pair.a.health(), await pair.b.health()
    assert a["index_version"] == b["index_version"] is not None
    assert "building the index first" not in pair.b.err.text


async def test_an_event_delivered_to_a_and_retried_to_b_is_answered_once(pair: Pair) -> None:
    user = pair.user()
    fake = pair.fake
    mention = fake.mention(ON_TOPIC, user=user)
    body = fake.event_body(mention)
    assert (await fake.post_event(pair.a.url, body))[0] == 200
    assert (await fake.post_event(pair.b.url, body, retry_num=1))[0] == 200
    in_thread = lambda: [p for p in fake.posts() if p.params.get("thread_ts") == mention["ts"]]  # noqa: E731
    await fake.wait_until(in_thread, 15)
    # the message and app_mention events of one DM (two event ids), one to each replica
    dm = fake.dm(ON_TOPIC, user=user, channel="D0" + user)
    await fake.post_event(pair.a.url, fake.event_body(dm))
    await fake.post_event(pair.b.url, fake.event_body({**dm, "type": "app_mention"}))
    in_dm = lambda: [p for p in fake.posts() if p.params.get("channel") == "D0" + user]  # noqa: E731
    await fake.wait_until(in_dm, 15)
    await asyncio.sleep(2.0)  # time for a second answer, if one were coming
    assert len(in_thread()) == 1 and len(in_dm()) == 1


async def test_an_install_on_a_serves_events_on_b_and_a_state_is_accepted_once(pair: Pair) -> None:
    fake = pair.fake
    fake.add_oauth_code("code-other", "T0OTHER", "xoxb-other", "U0BOT2", "B0BOT2")
    status, text, replay = await install(pair.a, pair.b, "code-other")  # state issued on A, used on B
    assert status == 200, text
    url, cookie = replay.split("|")
    async with aiohttp.ClientSession() as http, http.get(url, headers={"Cookie": cookie}) as resp:
        assert resp.status != 200, "a state is accepted once"
    user = pair.user()
    body = fake.event_body(fake.mention(ON_TOPIC, user=user, bot_user_id="U0BOT2"), team_id="T0OTHER")
    assert (await fake.post_event(pair.a.url, body))[0] == 200  # ... and the install serves on A
    post = (await fake.wait_until(lambda: [p for p in fake.posts() if p.token == "xoxb-other"], 15))[0]
    assert "[1]" in all_text(post.params)


async def test_a_vote_on_an_answer_given_by_a_is_recorded_when_it_lands_on_b(pair: Pair) -> None:
    user = pair.user()
    answer = await pair.ask(pair.a, ON_TOPIC, user)
    payload = pair.fake.block_action_payload(click_of(answer, FEEDBACK_UP), user=user)
    status, _, _ = await pair.fake.post_interaction(pair.b.url, payload)
    assert status == 200
    reply = (await pair.fake.wait_responses(payload["response_url"], timeout=15))[0].body
    assert "noted as helpful" in reply["text"]


async def test_a_signed_command_replayed_to_the_other_replica_runs_once(pair: Pair) -> None:
    fake = pair.fake
    payload = fake.command_payload(f"ask {ON_TOPIC}", user=pair.user())
    signed_at = int(time.time())  # the same body and timestamp: the same signature
    for replica in (pair.a, pair.b):
        assert (await fake.post_command(replica.url, payload, timestamp=signed_at))[0] == 200
    await fake.wait_responses(payload["response_url"], timeout=15)
    await asyncio.sleep(2.0)  # time for a second run, if one were coming
    assert len(fake.responses_to(payload["response_url"])) == 1


async def test_the_rate_limit_holds_across_both_replicas(pair: Pair) -> None:
    user = pair.user()
    replies = [await pair.ask(r, ON_TOPIC, user) for r in [pair.a, pair.b] * RATE]
    limited = ["asking quickly" in all_text(r) for r in replies]
    assert limited == [False] * RATE + [True] * RATE


async def test_callbot_index_add_is_served_by_both_within_10_seconds(pair: Pair) -> None:
    before = (await pair.a.health())["index_version"]
    doc = pair.root / "satellites.md"
    doc.write_bytes(SATELLITES)
    code, _, err = await callbot_cli(pair.env, pair.root, "index", "add", str(doc))
    assert code == 0, err
    promoted = time.monotonic()
    versions: set[str] = set()
    while time.monotonic() - promoted < 10:
        versions = {(await r.health())["index_version"] for r in (pair.a, pair.b)}
        if before not in versions and len(versions) == 1:
            break
        await asyncio.sleep(0.1)
    assert before not in versions and len(versions) == 1, versions
    reply = await pair.ask(pair.b, "Where was the Orbital Ground Station Pact signed?", pair.user())
    assert "Reykjavik" in all_text(reply)
    assert pair.count(audit) >= 1


async def test_two_builds_at_once_one_runs_the_other_is_told(pair: Pair) -> None:
    (pair.root / "knowledge" / "extra.md").write_text("# Extra\n\n" + "Cable pacts matter. " * 40 + "\n")
    (pair.root / "build-delay").write_text("3")  # both replicas' builds now take seconds
    fake = pair.fake
    commands = [fake.command_payload("reindex", user=ADMIN) for _ in range(2)]
    await asyncio.gather(*(fake.post_command(r.url, c) for r, c in zip((pair.a, pair.b), commands)))
    texts = []
    for c in commands:
        responses = await fake.wait_responses(c["response_url"], n=2, timeout=40)
        texts.append(all_text(responses[-1].body))
    (pair.root / "build-delay").write_text("0")
    busy = [t for t in texts if "another index build is running" in t]
    assert len(busy) == 1, texts


async def test_kill_9_of_one_replica_loses_no_vote_or_audit_row(pair: Pair) -> None:
    users = [pair.user() for _ in range(3)]
    given = [await pair.ask(pair.a, ON_TOPIC, u) for u in users]
    answers_before, votes_before, audit_before = pair.count(answers), pair.count(votes), pair.count(audit)
    pair.a.proc.send_signal(signal.SIGKILL)
    await pair.a.proc.wait()
    for user, answer in zip(users, given):  # the balancer now sends everything to B
        payload = pair.fake.block_action_payload(click_of(answer, FEEDBACK_UP), user=user)
        assert (await pair.fake.post_interaction(pair.b.url, payload))[0] == 200
        reply = (await pair.fake.wait_responses(payload["response_url"], timeout=15))[0].body
        assert "noted as helpful" in reply["text"]
    assert "[1]" in all_text(await pair.ask(pair.b, ON_TOPIC, pair.user()))
    assert pair.count(votes) == votes_before + 3
    assert pair.count(answers) == answers_before + 1
    assert pair.count(audit) == audit_before

"""Two `callbot run discord` processes splitting the shards (`discord.shard_ids`) on the fake
Discord, which sends each guild's events to the shard Discord would: each event is answered
once. Both processes share PostgreSQL and Redis, as a deployment of several would."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, REPO
from tests.fakes.discord_server import FakeDiscord
from tests.test_discord_adapter import ANSWERABLE, posts_to, wait_posts
from tests.test_slack_shutdown import Lines

pytestmark = pytest.mark.timeout(120)


async def test_two_processes_with_different_shards_answer_each_event_once(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    fake = await FakeDiscord(heartbeat_interval=0.5).start()
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBOT_")}
    env.update(
        PYTHONPATH=str(REPO),
        DISCORD_TOKEN=fake.TOKEN,
        CALLBOT_FEEDBACK_SALT="shard-test-salt",
        CALLBOT_KNOWLEDGE_DIR=str(tmp_path / "knowledge"),
        CALLBOT_INDEX_DIR=str(tmp_path / "index"),
        CALLBOT_STORAGE__DATABASE_URL=pg_url,
        CALLBOT_STORAGE__REDIS_URL=redis_url,
        CALLBOT_DISCORD__API_BASE_URL=fake.api_base_url,
        CALLBOT_DISCORD__GATEWAY_URL=fake.gateway_url,
        CALLBOT_DISCORD__SYNC_COMMANDS="false",
        CALLBOT_DISCORD__SHARD_COUNT="2",
        CALLBOT_METRICS__PORT="0",
        CALLBOT_KNOWLEDGE_OPS__QUALITY_EVAL_FILE="/nonexistent/no-eval.jsonl",
    )
    procs = []
    try:
        for shards in ("[0]", "[1]"):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.support.replica_child", "discord",
                cwd=tmp_path, env={**env, "CALLBOT_DISCORD__SHARD_IDS": shards},
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            procs.append((proc, Lines(proc.stdout), Lines(proc.stderr)))  # type: ignore[arg-type]
            await procs[-1][1].wait_for("STARTED", timeout=90)  # the first builds, the second loads
        deadline = time.monotonic() + 30
        while sorted(tuple(i.get("shard", ())) for i in fake.identifies) != [(0, 2), (1, 2)]:
            assert time.monotonic() < deadline, (fake.identifies, [p[2].text[-2000:] for p in procs])
            await asyncio.sleep(0.05)
        await asyncio.wait_for(fake.ready.wait(), 10)
        await fake.send_message(fake.ALICE, fake.GENERAL, f"<@{fake.BOT_ID}> {ANSWERABLE}")
        await wait_posts(fake, fake.GENERAL, 1, timeout=20)
        await asyncio.sleep(2.0)  # time for a second answer, if one were coming
        assert len(posts_to(fake, fake.GENERAL)) == 1
        owner = fake.shard_of(fake.GUILD_ID)
        assert fake.shards[owner] is not fake.shards[1 - owner], "each process holds its own shard"
    finally:
        for proc, _, _ in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _, _ in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await fake.close()
    assert fake.errors == []

"""Replica processes for the tests and the load benchmark: `callbot run slack` in HTTP mode
(`tests.support.replica_child`), configured only by environment variables."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import REPO
from tests.fakes.slack_server import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, FakeSlack
from tests.test_slack_shutdown import Lines


@dataclass
class Replica:
    name: str
    proc: asyncio.subprocess.Process
    out: Lines
    err: Lines
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def health(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.base}/healthz") as resp:
            return await resp.json()


def replica_env(
    root: Path,
    fake: FakeSlack,
    *,
    db_url: str | None,
    redis_url: str | None,
    oauth: bool = True,
    **keys: str,
) -> dict[str, str]:
    """The environment of a replica whose documents and index are under `root` (the shared
    volume); `keys` are more CALLBOT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBOT_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(REPO),
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        CALLBOT_FEEDBACK_SALT="replica-test-salt",
        CALLBOT_KNOWLEDGE_DIR=str(root / "knowledge"),
        CALLBOT_INDEX_DIR=str(root / "index"),
        CALLBOT_SLACK__MODE="http",
        CALLBOT_SLACK__HOST="127.0.0.1",
        CALLBOT_SLACK__PORT="0",
        CALLBOT_SLACK__API_BASE_URL=fake.api_url,
        CALLBOT_KNOWLEDGE_OPS__QUALITY_EVAL_FILE="/nonexistent/no-eval.jsonl",
        REPLICA_TEST_BUILD_DELAY_FILE=str(root / "build-delay"),
    )
    if oauth:
        env.update(SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET)
    else:
        from tests.fakes.slack_server import BOT_TOKEN

        env.update(SLACK_BOT_TOKEN=BOT_TOKEN)
    if db_url:
        env["CALLBOT_STORAGE__DATABASE_URL"] = db_url
    if redis_url:
        env["CALLBOT_STORAGE__REDIS_URL"] = redis_url
    env.update(keys)
    return env


async def start_replica(name: str, env: dict[str, str], cwd: Path, timeout: float = 90) -> Replica:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.replica_child", "run",
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    replica = Replica(name, proc, Lines(proc.stdout), Lines(proc.stderr))  # type: ignore[arg-type]
    try:
        await replica.out.wait_for("PORT", timeout=timeout)
    except TimeoutError:
        raise AssertionError(f"replica {name} did not start:\n{replica.err.text[-3000:]}") from None
    replica.port = int(next(line for line in replica.out.lines if line.startswith("PORT")).split()[1])
    return replica


async def stop_replica(replica: Replica) -> None:
    if replica.proc.returncode is None:
        replica.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(replica.proc.wait(), 20)
        except TimeoutError:
            replica.proc.kill()
            await replica.proc.wait()


async def callbot_cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    """Run the `callbot` command (on the fake embedder) with a replica's environment."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.replica_child", "cli", *args,
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode(), err.decode()


async def install(on: Replica, redirect_on: Replica, code: str) -> tuple[int, str, str]:
    """The OAuth install: consent page from `on`, Slack's redirect to `redirect_on`; returns
    (status, page, the redirect URL and cookie joined by '|', to replay it)."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{on.base}/slack/install") as resp:
            assert resp.status == 200
            state = re.search(r"state=([\w-]+)", await resp.text()).group(1)  # type: ignore[union-attr]
            cookie = resp.headers["Set-Cookie"].split(";", 1)[0]
        url = f"{redirect_on.base}/slack/oauth_redirect?code={code}&state={state}"
        async with http.get(url, headers={"Cookie": cookie}) as resp:
            return resp.status, await resp.text(), url + "|" + cookie

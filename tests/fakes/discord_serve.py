"""Start the Discord adapter the way production does (`run.serve`, token from the
environment) against a fake Discord, and wait until it is ready. Shared by the adapter
tests and the abuse tests."""

from __future__ import annotations

import asyncio
import time

import pytest

import bot.adapters.discord.run as discord_run
from bot.app import App
from tests.fakes.discord_server import FakeDiscord

# Taken at import, before any test wraps it: a second bot in one test must not wrap a wrapper.
_REAL_BUILD_APP = discord_run.build_app


async def serve_on_fake(
    parts: App,
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    *,
    sync: bool | None = True,
    wait_ready: bool = True,
) -> tuple[discord_run.DiscordApp, asyncio.Task]:
    """The running app and its task; with `wait_ready=False`, returns once health is up
    (for tests of a bot that never becomes ready). A start-up error is raised here, after
    the task is cancelled."""
    built: list[discord_run.DiscordApp] = []

    def build_app(parts):  # the real wiring, with a short wait for guilds
        built.append(_REAL_BUILD_APP(parts, guild_ready_timeout=0.05))
        return built[-1]

    monkeypatch.setattr(discord_run, "build_app", build_app)
    monkeypatch.setenv("DISCORD_TOKEN", fake.TOKEN)
    task = asyncio.create_task(discord_run.serve(parts, sync=sync))
    deadline = time.monotonic() + 10
    try:
        while not (built and (built[0].ready.is_set() or not wait_ready and built[0].health is not None)):
            if task.done():
                task.result()  # raises the start-up error
            assert time.monotonic() < deadline, "the bot never became ready"
            await asyncio.sleep(0.01)
    except BaseException:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise
    return built[0], task

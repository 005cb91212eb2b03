"""What every part of the fake Discord shares: protocol constants, records and the state.

`DiscordBase` only declares the state (so each part type-checks on its own);
`FakeDiscord.__init__` sets it. The class-level ids are the fixture guild every test uses.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
CALLBACK_LIMIT_SECONDS = 3.0
TIMESTAMP = "2024-05-01T12:00:00.000000+00:00"


@dataclass
class Recorded:
    """One HTTP request the fake received (path relative to /api/v10 for API routes)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: float
    status: int = 200


@dataclass
class FakeInteraction:
    """An interaction the test injected, with what the bot answered to it."""

    id: int
    token: str
    created: float
    channel_id: int
    callback: dict | None = None
    followups: list[dict] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    kind: int = 2  # 2 application command, 3 message component, 4 autocomplete
    user_id: int | None = None


class DiscordBase:
    """The fixture ids and the state the gateway, REST and interaction parts share."""

    TOKEN = "fake-bot-token"
    BOT_ID, APP_ID, GUILD_ID = 100, 200, 300
    GENERAL, AUTO_CHANNEL, THREAD = 301, 302, 303
    ADMIN_ROLE, BOT_ROLE = 310, 311
    ALICE, ADMIN, OTHER_BOT, BOB = 401, 402, 403, 404

    heartbeat_interval: float
    message_content_allowed: bool  # False: the portal did not grant the Message Content intent
    requests: list[Recorded]
    errors: list[str]
    heartbeats: list[float]
    identify: dict | None
    identifies: list[dict]
    shards: dict[int, web.WebSocketResponse]
    shard_count: int
    ready: asyncio.Event
    commands: dict[tuple[int | None, str], dict]
    interactions: dict[str, FakeInteraction]
    attachments: dict[str, tuple[bytes, str]]
    bot_messages: dict[str, dict]
    user_messages: dict[str, dict]  # what people posted (`send_message`), for message history
    _ephemeral_owner: dict[str, int]
    gateway_open: asyncio.Event
    failures: list[tuple[str, re.Pattern[str], int, dict]]
    _ids: itertools.count[int]
    _seq: int
    _ws: web.WebSocketResponse | None
    _runner: web.AppRunner | None
    _echoes: set[asyncio.Task]
    port: int
    users: dict[int, dict]
    member_roles: dict[int, list[int]]
    dm_channels: dict[int, int]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run `coro` after the current handler returns; `close()` cancels what is left."""
        task = asyncio.get_running_loop().create_task(coro)
        self._echoes.add(task)
        task.add_done_callback(self._echoes.discard)

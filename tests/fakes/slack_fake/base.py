"""What every part of the fake Slack shares: the fixture workspace, records and the state.

`SlackBase` only declares the state (so each part type-checks on its own); the
`FakeSlack` dataclass sets it. Every recorded event notifies `_changed`, which is what
`wait_until` (and every `wait_*` built on it) waits on.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

TEAM_ID = "T0FAKE"
APP_ID = "A0FAKE"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    response: dict[str, Any] | None = None  # what the fake answered (a post's `ts`, ...)


@dataclass
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    elapsed: float  # seconds between sending the envelope and receiving its ack


@dataclass
class Response:
    """A POST to a response_url (a slash command's or a button's answer)."""

    rid: str
    body: dict[str, Any]
    at: float


@dataclass
class _Identity:
    team_id: str
    user_id: str
    bot_id: str


class SlackBase:
    """The state the Web API, Socket Mode and payload parts share, and waiting on it."""

    host: str
    calls: list[ApiCall]
    acks: dict[str, Ack]
    responses: list[Response]
    problems: list[str]
    users: dict[str, dict[str, Any]]
    files: dict[str, tuple[dict[str, Any], bytes]]
    messages: list[dict[str, Any]]  # what people said (delivered events) and the bot posted
    bot_tokens: dict[str, _Identity]
    app_tokens: set[str]
    oauth_codes: dict[str, tuple[str, _Identity]]
    _rate_limits: dict[str, list[int]]
    _ids: itertools.count[int]
    _tickets: set[str]
    _ws: web.WebSocketResponse | None
    _ws_connected: asyncio.Event
    _connections_open: asyncio.Event
    connections: int
    _sent_at: dict[str, float]
    _changed: asyncio.Condition
    _runner: web.AppRunner | None
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def new_response_url(self) -> str:
        return f"{self.base_url}/respond/R{next(self._ids):06d}"

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ids)}.{next(self._ids):06d}"

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
        """Wait until `predicate()` is truthy (re-checked at every recorded event)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or predicate}; calls: {seen}"
                ) from None
        return predicate()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _problem(self, text: str) -> None:
        """Something real Slack would refuse or never see; fails the test at teardown."""
        self.problems.append(text)

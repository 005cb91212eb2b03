"""A fake Slack over real sockets, for end-to-end tests of the Slack adapter with real slack-bolt.

One `FakeSlack` per test, bound to 127.0.0.1 port 0. It serves the Web API, private file
downloads and response_url sinks (`web_api.py`) and a Socket Mode websocket
(`socket_mode.py`); it builds what Slack sends (`payloads.py`) and sends it signed in HTTP
mode (`http_mode.py`). Messages are checked against Block Kit's limits (`blocks.py`).
Whatever real Slack would refuse is a *problem*, and `problems` fails the test at teardown.

This module adds the state, the aiohttp app, scripting the fake and reading what happened.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from ..common import new_app, serve, shutdown
from .base import APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID, Ack, ApiCall, Response, _Identity
from .http_mode import HttpModeMixin
from .payloads import PayloadsMixin
from .socket_mode import SocketModeMixin
from .web_api import WebApiMixin


@dataclass
class FakeSlack(WebApiMixin, SocketModeMixin, PayloadsMixin, HttpModeMixin):
    host: str = "127.0.0.1"
    calls: list[ApiCall] = field(default_factory=list)
    acks: dict[str, Ack] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bot_tokens = {BOT_TOKEN: _Identity(TEAM_ID, BOT_USER_ID, BOT_ID)}
        self.app_tokens = {APP_TOKEN}
        self.oauth_codes = {}
        self._rate_limits = {}
        self._ids = itertools.count(1)
        self._tickets = set()
        self._ws = None
        self._ws_connected = asyncio.Event()
        self._connections_open = asyncio.Event()
        self._connections_open.set()
        self.connections = 0  # websockets accepted so far
        self._sent_at = {}
        self._changed = asyncio.Condition()
        self._runner = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = new_app()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/respond/{rid}", self._respond)
        app.router.add_get("/files-pri/{file_id}/{name}", self._download)
        self._runner, self.port = await serve(app, self.host)
        return self

    async def stop(self) -> None:
        await shutdown(self._runner, self._ws)

    # -- scripting the fake ---------------------------------------------------------------
    def add_user(self, user_id: str, *, is_admin: bool = False, is_owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "is_bot": False,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
        }

    def add_file(self, name: str, data: bytes, *, user: str = "U0ADMIN", mimetype: str = "text/markdown") -> str:
        file_id = f"F{next(self._ids):06d}"
        url = f"{self.base_url}/files-pri/{TEAM_ID}-{file_id}/{name}"
        meta = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1],
            "size": len(data),
            "user": user,
            "url_private": url,
            "url_private_download": url + "?download=1",
        }
        self.files[file_id] = (meta, data)
        return file_id

    def add_oauth_code(self, code: str, team_id: str, bot_token: str, bot_user_id: str, bot_id: str) -> None:
        """`oauth.v2.access` with this code installs the app in `team_id` with that bot token."""
        self.oauth_codes[code] = (bot_token, _Identity(team_id, bot_user_id, bot_id))

    def rate_limit(self, method: str, *retry_after: int) -> None:
        """The next len(retry_after) calls of `method` get HTTP 429 with that Retry-After."""
        self._rate_limits.setdefault(method, []).extend(retry_after)

    # -- what happened --------------------------------------------------------------------
    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def posts(self) -> list[ApiCall]:
        """Successful chat.postMessage calls (a 429'd attempt is not a post)."""
        return [c for c in self.calls_to("chat.postMessage") if not c.params.get("_rate_limited")]

    def ephemerals(self) -> list[ApiCall]:
        return self.calls_to("chat.postEphemeral")

    def responses_to(self, response_url: str) -> list[Response]:
        rid = response_url.rsplit("/", 1)[-1]
        return [r for r in self.responses if r.rid == rid]

    async def wait_posts(self, n: int, timeout: float = 5.0) -> list[ApiCall]:
        return await self.wait_until(lambda: len(self.posts()) >= n and self.posts(), timeout, f"{n} posts")

    async def wait_responses(self, response_url: str, n: int = 1, timeout: float = 5.0) -> list[Response]:
        return await self.wait_until(
            lambda: len(self.responses_to(response_url)) >= n and self.responses_to(response_url),
            timeout,
            f"{n} responses to {response_url}",
        )

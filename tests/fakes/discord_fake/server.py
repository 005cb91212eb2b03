"""A strict fake Discord: REST under `/api/v10` and a gateway websocket, on 127.0.0.1:0.

The real discord.py client connects to it (through `discord.http.Route.BASE` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`), so the adapter is tested over real
sockets with the real library. Every request is recorded in `requests`; an unknown route
answers 404 and is recorded in `errors`, as is everything else Discord would refuse (see
`rest.py`, `limits.py`). Tests assert `errors == []` at the end.

The parts, each building on the previous one: `payloads` (the guild's JSON), `gateway`,
`interactions` (what a test injects) and `rest` (what the bot calls). This module adds the
state, the aiohttp app and the recording, and answers questions about what happened.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..common import new_app, serve, shutdown
from .base import Recorded
from .rest import RestMixin, error_response


class FakeDiscord(RestMixin):
    """One fake Discord per test: a guild with channels, a thread, users, roles and a DM."""

    def __init__(self, *, heartbeat_interval: float = 0.25, message_content_allowed: bool = True) -> None:
        self.heartbeat_interval = heartbeat_interval
        self.message_content_allowed = message_content_allowed
        self.requests = []
        self.errors = []
        self.heartbeats = []
        self.identify = None
        self.identifies: list[dict] = []  # every IDENTIFY, in order
        self.shards: dict[int, web.WebSocketResponse] = {}  # shard id -> its connection
        self.shard_count = 1
        self.ready = asyncio.Event()
        self.commands = {}
        self.interactions = {}
        self.attachments = {}
        # Every message the bot created (channel posts, interaction responses, follow-ups),
        # by id, as Discord stored it; and who may see (and click) each ephemeral one.
        self.bot_messages = {}
        self.user_messages = {}
        self._ephemeral_owner = {}
        self.gateway_open = asyncio.Event()  # cleared: READY and RESUMED wait until it is set
        self.gateway_open.set()
        self.failures = []
        self._ids = itertools.count(10_000)
        self._seq = 0
        self._ws = None
        self._runner = None
        self._echoes = set()
        self.port = 0
        self.users = {
            self.BOT_ID: self._user(self.BOT_ID, "callbot", bot=True),
            self.ALICE: self._user(self.ALICE, "alice"),
            self.ADMIN: self._user(self.ADMIN, "ada"),
            self.OTHER_BOT: self._user(self.OTHER_BOT, "otherbot", bot=True),
            self.BOB: self._user(self.BOB, "bob"),
        }
        self.member_roles = {self.BOT_ID: [self.BOT_ROLE], self.ADMIN: [self.ADMIN_ROLE]}
        self.dm_channels = {}

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = new_app()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.port = await serve(app, "127.0.0.1")
        return self

    async def close(self) -> None:
        for task in list(self._echoes):
            task.cancel()
        await shutdown(self._runner, self._ws)

    # -- requests -----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/gateway":
            return await self._gateway(request)
        if path in self.attachments:
            data, content_type = self.attachments[path]
            return web.Response(body=data, headers={"Content-Type": content_type})
        body = await self._read_body(request)
        api_path = path.removeprefix("/api/v10")
        rec = Recorded(request.method, api_path, dict(request.query), body, dict(request.headers), time.monotonic())
        self.requests.append(rec)
        response = await self._route(request, api_path, body) if path.startswith("/api/v10/") else None
        if response is None:
            self.errors.append(f"unknown route {request.method} {path}")
            response = error_response(404, 0, "404: Not Found")
        rec.status = response.status
        return response

    @staticmethod
    async def _read_body(request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(raw) if isinstance(raw, str) else {}
        raw = await request.read()
        return json.loads(raw) if raw else None

    # -- what happened ------------------------------------------------------------------
    def messages_out(self) -> list[dict]:
        """Every message payload the bot sent or edited, whatever the route."""
        out = []
        for req in self.requests:
            if req.status >= 300 or not isinstance(req.body, dict):
                continue
            if (
                req.method == "POST"
                and re.fullmatch(r"/channels/\d+/messages", req.path)
                or re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/@original)?", req.path)
                and req.method
                in (
                    "POST",
                    "PATCH",
                )
            ):
                out.append(req.body)
            elif req.path.endswith("/callback") and req.body.get("type") in (4, 7):
                out.append(req.body.get("data") or {})
        return out

    async def wait_for_request(self, predicate: Callable[[Recorded], bool], timeout: float = 10) -> Recorded:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for req in self.requests:
                if predicate(req):
                    return req
            await asyncio.sleep(0.01)
        raise AssertionError("the bot never made the expected request")

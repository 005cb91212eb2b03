"""The gateway websocket: HELLO, heartbeats, IDENTIFY / RESUME, READY, GUILD_CREATE, dispatches.

Frames are text (discord.py only inflates binary ones). Tests can hold READY / RESUMED back
(`gateway_open.clear()`) and drop the connection (`drop_connection()`) to see the bot before
it is ready and after it lost Discord.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Coroutine
from typing import Any

from aiohttp import WSMsgType, web

from .base import MESSAGE_CONTENT_INTENT
from .payloads import PayloadsMixin


class GatewayMixin(PayloadsMixin):
    """The latest gateway connection is `_ws`; events go out through `dispatch`.

    Sharded connections (IDENTIFY with `shard: [id, count]`) are kept per shard, and an event
    goes to the shard Discord would pick: `(guild_id >> 22) % count`, shard 0 without a guild.
    """

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        if request.query.get("v") != "10" or request.query.get("encoding") != "json":
            self.errors.append(f"gateway connected with unexpected query {dict(request.query)}")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}, "s": None, "t": None}
            )
        )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                await self._when_open(self._identify(ws, frame["d"]))
            elif op == 6:
                await self._when_open(self.dispatch("RESUMED", {}, ws=ws))
        return ws

    async def _when_open(self, reply: Coroutine[Any, Any, None]) -> None:
        """Send READY / RESUMED now, or once `gateway_open` is set (heartbeats go on meanwhile)."""
        if self.gateway_open.is_set():
            await reply
            return

        async def later() -> None:
            await self.gateway_open.wait()
            await reply

        self._background(later())

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway connection from Discord's side (4000: 'unknown error', resumable)."""
        assert self._ws is not None and not self._ws.closed, "no gateway connection"
        await self._ws.close(code=code, message=b"dropped by the test")

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        if data.get("token") != self.TOKEN:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if int(data.get("intents", 0)) & MESSAGE_CONTENT_INTENT and not self.message_content_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identify = data
        self.identifies.append(data)
        shard_id, count = data.get("shard") or (0, 1)
        self.shards[shard_id] = ws
        self.shard_count = count
        guilds = [{"id": str(self.GUILD_ID), "unavailable": True}] if self.shard_of(self.GUILD_ID) == shard_id else []
        ready = {
            "v": 10,
            "user": self.users[self.BOT_ID],
            "guilds": guilds,
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if "shard" in data:  # a sharded IDENTIFY gets its [shard_id, num_shards] back
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready, ws=ws)
        if guilds:
            await self.dispatch("GUILD_CREATE", self.guild_payload(), ws=ws)
            self.ready.set()

    @property
    def message_content_intent(self) -> bool:
        return bool(self.identify and int(self.identify.get("intents", 0)) & MESSAGE_CONTENT_INTENT)

    def shard_of(self, guild_id: int | str | None) -> int:
        """The shard Discord sends a guild's events to (DMs: shard 0)."""
        return (int(guild_id) >> 22) % self.shard_count if guild_id else 0

    async def dispatch(self, event: str, data: dict, ws: web.WebSocketResponse | None = None) -> None:
        """Send one DISPATCH (op 0) event to the client (the owning shard's connection), as a text frame."""
        if ws is None:
            ws = self.shards.get(self.shard_of(data.get("guild_id"))) if len(self.shards) > 1 else self._ws
        assert ws is not None and not ws.closed, "no gateway connection"
        self._seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def send_message(
        self, author_id: int, channel_id: int, content: str, *, reply_to: dict | None = None
    ) -> dict:
        """A user posts a message; delivered as MESSAGE_CREATE the way Discord would.

        Without the Message Content intent its content is blanked, unless it is a DM or
        mentions the bot. `reply_to`: the message this one replies to (pinging its author,
        as Discord's client does by default).
        """
        await asyncio.wait_for(self.ready.wait(), 10)
        in_dm = self._channel_kind(channel_id) == 1
        member = None if in_dm else self._partial_member(author_id)
        reference = None
        if reply_to is not None:
            reference = {
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                "fail_if_not_exists": False,
            }
            if not in_dm:
                reference["guild_id"] = str(self.GUILD_ID)
        data = self._message(
            channel_id=channel_id, author=self.users[author_id], content=content, member=member, reference=reference
        )
        if reply_to is not None:
            data["referenced_message"] = reply_to
            if all(m["id"] != reply_to["author"]["id"] for m in data["mentions"]):
                data["mentions"].append(reply_to["author"])
        self.user_messages[data["id"]] = data
        mentions_bot = any(m["id"] == str(self.BOT_ID) for m in data["mentions"])
        if not (in_dm or mentions_bot or self.message_content_intent or author_id == self.BOT_ID):
            data = {**data, "content": ""}  # what Discord sends without the Message Content intent
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    def advance(self, minutes: float) -> None:
        """Let time pass: later messages get ids (snowflakes) that many minutes later."""
        self._ids = itertools.count(next(self._ids) + (int(minutes * 60_000) << 22))

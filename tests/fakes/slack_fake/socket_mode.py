"""The Socket Mode websocket: `hello`, envelopes pushed to the bot, and its acks.

The bot gets the URL from `apps.connections.open`; each ticket opens one connection. Acks are
recorded with their latency; an ack for an unknown envelope, or a second one, is a problem.
A test can hold new connections back (`hold_connections`) and drop the current one
(`drop_connection`).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
from aiohttp import web

from .base import APP_ID, Ack, SlackBase


class SocketModeMixin(SlackBase):
    """One Socket Mode connection at a time, kept in `_ws`."""

    def hold_connections(self) -> None:
        """New websocket connections wait (like a slow Slack edge) until `release_connections`."""
        self._connections_open.clear()

    def release_connections(self) -> None:
        self._connections_open.set()

    async def drop_connection(self) -> None:
        """Close the current Socket Mode websocket from Slack's side, as a network blip would."""
        if self._ws is None or self._ws.closed:
            raise AssertionError("no Socket Mode connection to drop")
        await self._ws.close()

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self._problem(f"websocket opened with an unknown ticket {ticket!r}")
            return web.Response(status=403)
        self._tickets.discard(ticket)
        await self._connections_open.wait()
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        self.connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-applink"},
                "connection_info": {"app_id": APP_ID},
            }
        )
        self._ws_connected.set()
        await self._notify()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            envelope_id = data.get("envelope_id")
            if envelope_id not in self._sent_at:
                self._problem(f"socket message for an unknown envelope: {msg.data[:200]}")
                continue
            if envelope_id in self.acks:
                self._problem(f"envelope {envelope_id} acked twice")
            self.acks[envelope_id] = Ack(
                envelope_id, data.get("payload"), time.monotonic() - self._sent_at[envelope_id]
            )
            await self._notify()
        return ws

    @property
    def connected(self) -> bool:
        """Whether a Socket Mode websocket is open right now."""
        return self._ws is not None and not self._ws.closed

    async def wait_connected(self, timeout: float = 5.0, count: int = 1) -> None:
        """Wait for the first websocket (or the `count`-th, after drops)."""
        await asyncio.wait_for(self._ws_connected.wait(), timeout)
        if count > 1:
            await self.wait_until(lambda: self.connections >= count, timeout, f"websocket connection {count}")

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int | None = None, retry_reason: str | None = None
    ) -> str:
        """Push one Socket Mode envelope (events_api, slash_commands or interactive)."""
        if self._ws is None or self._ws.closed:
            raise AssertionError("no Socket Mode connection to send on")
        envelope_id = f"env-{next(self._ids)}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        self._sent_at[envelope_id] = time.monotonic()
        await self._ws.send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        return await self.wait_until(lambda: self.acks.get(envelope_id), timeout, f"ack of {envelope_id}")

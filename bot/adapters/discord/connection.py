"""Whether the bot can serve right now: the readiness `/healthz` reports.

Up from the gateway's READY until a disconnect, up again on RESUMED or a new READY, and down
for good once shutdown begins (the orchestrator stops routing to a bot that is leaving).
With shards, each shard is tracked on its own: one shard down means some servers go
unanswered, so the bot is not healthy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from bot.ops.shutdown import InFlight

log = logging.getLogger(__name__)
Shard = int | None  # None: the single connection of an unsharded client


class Connection:
    """Call it for readiness; `ready` is set at the first READY (start-up waits on it)."""

    def __init__(self, in_flight: InFlight) -> None:
        self.ready = asyncio.Event()
        self._in_flight = in_flight
        self._down: set[Shard] = set()

    def __call__(self) -> bool:
        return self.ready.is_set() and not self._down and self._in_flight.accepting

    def up(self, shard: Shard = None) -> None:
        self._down.discard(shard)

    def down(self, shard: Shard = None) -> None:
        if shard not in self._down and self._in_flight.accepting:  # closing on purpose is not news
            log.info(
                "the Discord gateway connection%s is down; /healthz says unavailable until it is back",
                "" if shard is None else f" of shard {shard}",
            )
        self._down.add(shard)

    def attach(self, client: discord.Client, on_ready: Callable[[], None] = lambda: None) -> None:
        """Handle the client's connection events (by name, like every handler here: a plain
        Client has one handler per event); `on_ready` runs at each READY (for logging)."""
        sharded = isinstance(client, discord.AutoShardedClient)

        async def on_ready_event() -> None:
            if not sharded:
                self.up()
            on_ready()
            self.ready.set()

        on_ready_event.__name__ = "on_ready"
        client.event(on_ready_event)
        if sharded:
            client.event(self.on_shard_ready)
            client.event(self.on_shard_resumed)
            client.event(self.on_shard_disconnect)
        else:
            client.event(self.on_resumed)
            client.event(self.on_disconnect)

    async def on_resumed(self) -> None:
        self.up()

    async def on_disconnect(self) -> None:
        self.down()

    async def on_shard_ready(self, shard_id: int) -> None:
        self.up(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.up(shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.down(shard_id)

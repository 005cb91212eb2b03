"""The Discord side of a load run: the fake Discord, the real adapter, mentions and `/ask`."""

from __future__ import annotations

import asyncio
import re
import time

import discord
from discord.gateway import DiscordWebSocket

import bot.adapters.discord.run as discord_run
from bot.app import App
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord
from tests.support.load.results import ANSWERED, DECLINED, NOTICE, Asked, Reply
from tests.support.load.sides import Side

DISCORD_FIRST_USER = 600_000  # ids of the simulated Discord users (the fake's own are 4xx)
_DISCORD_VERSION = re.compile(r"Index version (\S+)")


def _shown(body: dict) -> str:
    """The start of a Discord message: its content, else its first embed's description."""
    embeds = body.get("embeds") or []
    return (body.get("content") or (embeds[0].get("description") if embeds else "") or "")[:120]


class DiscordSide(Side):
    name = "discord"

    def __init__(self, users: int) -> None:
        super().__init__()
        self.fake = FakeDiscord()
        self.users = users
        self._cursor = 0
        self._task: asyncio.Task | None = None
        self._saved = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)

    async def start_fake(self) -> dict:
        await self.fake.start()
        for i in range(self.users):
            uid = DISCORD_FIRST_USER + i
            self.fake.users[uid] = FakeDiscord._user(uid, f"loaduser{i}")
        return {
            "api_base_url": self.fake.api_base_url,
            "gateway_url": self.fake.gateway_url,
            "guild_ids": [self.fake.GUILD_ID],
            "sync_commands": True,
        }

    async def start_adapter(self, app: App) -> None:
        cfg = app.settings.discord
        discord_app = discord_run.build_app(app, guild_ready_timeout=0.05)
        self._task = asyncio.create_task(discord_run.serve_app(discord_app, FakeDiscord.TOKEN, sync=True, cfg=cfg))
        deadline = time.monotonic() + 20
        while not discord_app.ready.is_set():
            if self._task.done():
                self._task.result()  # raises the start-up error
                raise RuntimeError("the Discord adapter stopped during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("the Discord adapter never became ready")
            await asyncio.sleep(0.01)
        await asyncio.wait_for(self.fake.ready.wait(), 10)
        self.fake.command("ask")  # registered (raises otherwise)

    async def ask(self, user: int, j: int, text: str) -> Asked:
        uid = DISCORD_FIRST_USER + user
        channel = self.fake.GENERAL if user % 2 == 0 else self.fake.THREAD
        route = "mention" if j % 2 == 0 else "/ask"
        sent_at = time.monotonic()
        asked = Asked(self.name, str(uid), route, text, sent_at)
        if route == "mention":
            message = await self.fake.send_message(uid, channel, f"<@{self.fake.BOT_ID}> {text}")
            self.register(f"msg:{message['id']}", asked)
        else:
            interaction = await self.fake.invoke("ask", {"question": text}, user_id=uid, channel_id=channel)
            self.register(f"itx:{interaction.token}", asked)
        return asked

    @staticmethod
    def classify(body: dict) -> tuple[str, str | None]:
        embeds = body.get("embeds") or []
        footer = ((embeds[-1].get("footer") or {}).get("text") or "") if embeds else ""
        if embeds and (m := _DISCORD_VERSION.search(footer)):
            return ANSWERED, m.group(1)
        if "I can answer questions about:" in (body.get("content") or ""):
            return DECLINED, None
        return NOTICE, None

    def collect(self) -> None:
        requests = self.fake.requests
        new, self._cursor = requests[self._cursor :], len(requests)
        for req in new:
            if req.status >= 300 or req.method != "POST" or not isinstance(req.body, dict):
                continue  # refused requests are in fake.errors
            if m := re.fullmatch(r"/channels/(\d+)/messages", req.path):
                user = next((u for u, c in self.fake.dm_channels.items() if c == int(m.group(1))), None)
                if user is not None:  # a DM: the private notice for a refused question
                    self.errors.append(f"discord: private notice to user {user}: {req.body.get('content', '')[:120]!r}")
                    continue
                ref = (req.body.get("message_reference") or {}).get("message_id")
                kind, version = self.classify(req.body)
                if ref is None:
                    self.errors.append(
                        f"discord: a message in channel {m.group(1)} that replies to nothing "
                        f"(a second part?): {str(req.body)[:120]}"
                    )
                    continue
                self.reply(f"msg:{ref}", Reply(req.at, kind, version, "channel reply", _shown(req.body)))
            elif m := re.fullmatch(r"/webhooks/\d+/([^/]+)", req.path):
                kind, version = self.classify(req.body)
                self.reply(f"itx:{m.group(1)}", Reply(req.at, kind, version, "follow-up", _shown(req.body)))
            elif m := re.fullmatch(r"/interactions/\d+/([^/]+)/callback", req.path):
                if req.body.get("type") == 5:
                    continue  # the defer: the answer follows
                data = req.body.get("data") or {}
                private = "private " if (data.get("flags") or 0) & EPHEMERAL else ""
                self.reply(f"itx:{m.group(1)}", Reply(req.at, NOTICE, None, f"{private}callback", _shown(data)))
        self.retry_unmatched()

    def final_errors(self) -> list[str]:
        return [f"discord fake: {e}" for e in self.fake.errors]  # late callbacks (> 3 s) included

    def ack_latencies(self) -> list[float]:
        out = []
        for req in self.fake.requests:
            m = re.fullmatch(r"/interactions/\d+/([^/]+)/callback", req.path)
            if m and m.group(1) in self.fake.interactions:
                out.append(req.at - self.fake.interactions[m.group(1)].created)
        return out

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.fake.close()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved

"""The fake Discord itself, driven by a bare discord.py client: if these fail, the adapter
tests mean nothing."""

from __future__ import annotations

import asyncio

import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from tests.fakes.discord_server import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch):
    server = await FakeDiscord(heartbeat_interval=0.1).start()
    # Process-wide class attributes in discord.py: monkeypatch restores them afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base_url)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.close()


class Bare:
    """A bare discord.py client with one slash command and an echoing on_message."""

    def __init__(self, intents: discord.Intents) -> None:
        self.client = discord.Client(
            intents=intents, guild_ready_timeout=0.05, allowed_mentions=discord.AllowedMentions.none()
        )
        self.tree = app_commands.CommandTree(self.client)
        self.seen: list[discord.Message] = []
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None

        @self.tree.command(name="ping", description="ping")
        async def ping(interaction: discord.Interaction, word: str) -> None:
            await interaction.response.defer(ephemeral=True)
            await interaction.followup.send(f"pong {word}", ephemeral=True)

        @self.client.event
        async def on_message(message: discord.Message) -> None:
            self.seen.append(message)
            if not message.author.bot:
                await message.reply(f"echo:{type(message.channel).__name__}", mention_author=False)

        @self.client.event
        async def on_ready() -> None:
            self.ready.set()

    async def start(self, token: str = FakeDiscord.TOKEN, guild: int | None = None) -> Bare:
        await self.client.login(token)
        if guild:
            self.tree.copy_global_to(guild=discord.Object(guild))
        await self.tree.sync(guild=discord.Object(guild) if guild else None)
        self.task = asyncio.create_task(self.client.connect())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def stop(self) -> None:
        await self.client.close()
        if self.task:
            await asyncio.gather(self.task, return_exceptions=True)


def _intents(content: bool = False) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.dm_messages = True
    intents.message_content = content
    return intents


async def _seen(bare: Bare, count: int) -> list[discord.Message]:
    for _ in range(500):
        if len(bare.seen) >= count:
            return bare.seen
        await asyncio.sleep(0.01)
    raise AssertionError(f"saw {len(bare.seen)} messages, expected {count}")


async def test_gateway_rest_and_guild_state(fake: FakeDiscord) -> None:
    bare = await Bare(_intents()).start()
    try:
        guild = bare.client.get_guild(fake.GUILD_ID)
        assert guild is not None and {c.id for c in guild.text_channels} == {fake.GENERAL, fake.AUTO_CHANNEL}
        assert guild.get_thread(fake.THREAD).parent_id == fake.GENERAL
        assert bare.client.application_id == fake.APP_ID and bare.client.user.id == fake.BOT_ID
        registered = fake.command("ping")
        assert registered["application_id"] == str(fake.APP_ID) and registered["id"]
        await asyncio.sleep(0.35)
        assert len(fake.heartbeats) >= 2  # HELLO's interval is honoured and acked
        assert fake.identify["token"] == fake.TOKEN
    finally:
        await bare.stop()
    assert fake.errors == []


async def test_messages_in_channel_thread_and_dm(fake: FakeDiscord) -> None:
    bare = await Bare(_intents()).start()
    try:
        await fake.send_message(fake.ALICE, fake.GENERAL, f"<@{fake.BOT_ID}> hello")
        await fake.send_message(fake.ALICE, fake.THREAD, f"<@{fake.BOT_ID}> in a thread")
        await fake.send_message(fake.ALICE, fake.dm_channel(fake.ALICE), "a dm")
        await fake.send_message(fake.ALICE, fake.GENERAL, "no mention here")
        # 4 user messages + the bot's 3 replies coming back through the gateway
        seen = await _seen(bare, 7)
        by_user = [m for m in seen if not m.author.bot]
        assert [type(m.channel).__name__ for m in by_user] == ["TextChannel", "Thread", "DMChannel", "TextChannel"]
        assert [u.id for u in by_user[0].mentions] == [fake.BOT_ID]
        assert by_user[3].content == ""  # blanked: no Message Content intent and no mention
        assert by_user[2].content == "a dm"
        posted = [r.path for r in fake.requests if r.method == "POST"]
        assert posted.count(f"/channels/{fake.GENERAL}/messages") == 2
        assert f"/channels/{fake.THREAD}/messages" in posted
    finally:
        await bare.stop()
    assert fake.errors == []


async def test_content_delivered_with_the_intent(fake: FakeDiscord) -> None:
    bare = await Bare(_intents(content=True)).start()
    try:
        await fake.send_message(fake.ALICE, fake.GENERAL, "no mention here")
        seen = await _seen(bare, 1)
        assert seen[0].content == "no mention here"
    finally:
        await bare.stop()


async def test_interaction_defer_then_ephemeral_followup(fake: FakeDiscord) -> None:
    bare = await Bare(_intents()).start(guild=fake.GUILD_ID)
    try:
        assert (fake.GUILD_ID, "ping") in fake.commands
        interaction = await fake.wait_answered(await fake.invoke("ping", {"word": "hi"}), count=1)
        assert interaction.callback == {"type": 5, "data": {"flags": EPHEMERAL}}
        assert interaction.followups[0]["content"] == "pong hi"
        assert interaction.followups[0]["flags"] & EPHEMERAL
        with pytest.raises(AssertionError, match="no option"):
            await fake.invoke("ping", {"nope": "x"})
        with pytest.raises(AssertionError, match="never registered"):
            await fake.invoke("pong")
    finally:
        await bare.stop()
    assert fake.errors == []


async def test_the_fake_is_strict(fake: FakeDiscord) -> None:
    bare = await Bare(_intents()).start()
    http = bare.client.http
    try:
        with pytest.raises(discord.NotFound):
            await http.request(discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=fake.GUILD_ID))
        with pytest.raises(discord.HTTPException) as too_long:
            await http.send_message(fake.GENERAL, params=discord.http.handle_message_parameters(content="x" * 2001))
        assert too_long.value.status == 400
        late = await fake.invoke("ping", {"word": "late"})
        late.created -= 3.5  # as if the bot had waited too long
        await asyncio.sleep(0.3)
        assert late.callback is None
    finally:
        await bare.stop()
    assert any("unknown route GET /api/v10/guilds" in e for e in fake.errors)
    assert any("content is 2001 characters" in e for e in fake.errors)
    assert any("callback after" in e for e in fake.errors)
    fake.errors.clear()


async def test_wrong_token_is_refused(fake: FakeDiscord) -> None:
    client = discord.Client(intents=_intents())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()

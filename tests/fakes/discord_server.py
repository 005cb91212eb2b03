"""A strict fake Discord: REST under `/api/v10` and a gateway websocket, on 127.0.0.1:0.

The real discord.py client connects to it (through `discord.http.Route.BASE` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`), so the adapter is tested over real
sockets with the real library. The fake is strict on purpose: an unknown route answers 404
and is recorded in `errors`, as is a message over Discord's limits, an interaction callback
later than Discord's 3 seconds, a second callback or a follow-up before the callback. Tests
assert `errors == []` at the end. Every request is recorded in `requests`.

It behaves like Discord where discord.py depends on it: JSON bodies with a content type of
exactly `application/json`; `mentions` derived from `<@id>` tokens; message content blanked
for messages that do not mention the bot unless the client identified with the Message
Content intent; text frames on the gateway (discord.py only inflates binary frames).

Message components: the bot's messages may carry action rows of buttons, checked against
Discord's limits (5 rows of 5, custom_id up to 100 characters, unique per message). A test
clicks one with `click(message, custom_id)` (a MESSAGE_COMPONENT interaction); clicking a
button the message does not have, or someone else's ephemeral message, fails the test.
Tests can hold the gateway's READY / RESUMED (`gateway_open.clear()`) and drop the
connection (`drop_connection()`) to see the bot before it is ready and after it is lost.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
CALLBACK_LIMIT_SECONDS = 3.0
TIMESTAMP = "2024-05-01T12:00:00.000000+00:00"
# Discord's documented limits for a message and its embeds.
CONTENT_LIMIT, EMBEDS_PER_MESSAGE, EMBED_TOTAL = 2000, 10, 6000
EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256, "field_name": 256, "field_value": 1024}
ACTION_ROWS, ROW_BUTTONS, CUSTOM_ID_LIMIT, LABEL_LIMIT = 5, 5, 100, 80
BUTTON, ACTION_ROW, LINK_STYLE = 2, 1, 5
_OPTION_TYPES = {3: str, 4: int, 5: bool, 10: float}
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


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


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly `application/json`: with a charset discord.py reads the body as text.
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)


def embed_problems(payload: dict) -> list[str]:
    """What Discord would refuse in a message payload (content and embed limits)."""
    problems: list[str] = []
    content = payload.get("content") or ""
    embeds = payload.get("embeds") or []
    if len(content) > CONTENT_LIMIT:
        problems.append(f"content is {len(content)} characters (limit {CONTENT_LIMIT})")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds (limit {EMBEDS_PER_MESSAGE})")
    total = 0
    for embed in embeds:
        sizes = {
            "title": len(embed.get("title") or ""),
            "description": len(embed.get("description") or ""),
            "footer": len((embed.get("footer") or {}).get("text") or ""),
            "author": len((embed.get("author") or {}).get("name") or ""),
        }
        for f in embed.get("fields") or []:
            sizes["field_name"] = max(sizes.get("field_name", 0), len(f.get("name", "")))
            sizes["field_value"] = max(sizes.get("field_value", 0), len(f.get("value", "")))
            total += len(f.get("name", "")) + len(f.get("value", ""))
        if len(embed.get("fields") or []) > 25:
            problems.append("more than 25 embed fields")
        for key, size in sizes.items():
            if size > EMBED_LIMITS[key]:
                problems.append(f"embed {key} is {size} characters (limit {EMBED_LIMITS[key]})")
        total += sizes["title"] + sizes["description"] + sizes["footer"] + sizes["author"]
    if total > EMBED_TOTAL:
        problems.append(f"embeds total {total} characters (limit {EMBED_TOTAL})")
    if not content.strip() and not embeds and not payload.get("attachments"):
        problems.append("empty message")
    return problems + component_problems(payload)


def component_problems(payload: dict) -> list[str]:
    """What Discord would refuse in a message's components (action rows of buttons only)."""
    rows = payload.get("components") or []
    problems: list[str] = []
    if len(rows) > ACTION_ROWS:
        problems.append(f"{len(rows)} action rows (limit {ACTION_ROWS})")
    seen: set[str] = set()
    for row in rows:
        children = row.get("components") or []
        if row.get("type") != ACTION_ROW or not 1 <= len(children) <= ROW_BUTTONS:
            problems.append(f"an action row must hold 1 to {ROW_BUTTONS} components: {row}")
            continue
        for button in children:
            custom_id, style = button.get("custom_id"), button.get("style")
            if button.get("type") != BUTTON or style not in (1, 2, 3, 4, LINK_STYLE):
                problems.append(f"not a valid button: {button}")
            elif (style == LINK_STYLE) != (custom_id is None) or (style == LINK_STYLE) != bool(button.get("url")):
                problems.append(f"a link button has a url and no custom_id, any other a custom_id: {button}")
            if custom_id is not None and not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
                problems.append(f"custom_id of {len(custom_id)} characters (limit {CUSTOM_ID_LIMIT})")
            if custom_id is not None and custom_id in seen:
                problems.append(f"custom_id {custom_id!r} twice in one message")
            seen.add(custom_id or "")
            if len(button.get("label") or "") > LABEL_LIMIT:
                problems.append(f"button label over {LABEL_LIMIT} characters")
            if not button.get("label") and not button.get("emoji"):
                problems.append(f"a button needs a label or an emoji: {button}")
    return problems


class FakeDiscord:
    """One fake Discord per test: a guild with channels, a thread, users, roles and a DM."""

    TOKEN = "fake-bot-token"
    BOT_ID, APP_ID, GUILD_ID = 100, 200, 300
    GENERAL, AUTO_CHANNEL, THREAD = 301, 302, 303
    ADMIN_ROLE, BOT_ROLE = 310, 311
    ALICE, ADMIN, OTHER_BOT, BOB = 401, 402, 403, 404

    def __init__(self, *, heartbeat_interval: float = 0.25, message_content_allowed: bool = True) -> None:
        self.heartbeat_interval = heartbeat_interval
        # False: the application was not granted the Message Content intent in the portal.
        self.message_content_allowed = message_content_allowed
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self.heartbeats: list[float] = []
        self.identify: dict | None = None
        self.ready = asyncio.Event()
        self.commands: dict[tuple[int | None, str], dict] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.attachments: dict[str, tuple[bytes, str]] = {}
        # Every message the bot created (channel posts, interaction responses, follow-ups),
        # by id, as Discord stored it; and who may see (and click) each ephemeral one.
        self.bot_messages: dict[str, dict] = {}
        self._ephemeral_owner: dict[str, int] = {}
        self.gateway_open = asyncio.Event()  # cleared: READY and RESUMED wait until it is set
        self.gateway_open.set()
        self.failures: list[tuple[str, re.Pattern[str], int, dict]] = []
        self._ids = itertools.count(10_000)
        self._seq = 0
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self._echoes: set[asyncio.Task] = set()
        self.port = 0
        self.users = {
            self.BOT_ID: self._user(self.BOT_ID, "callbot", bot=True),
            self.ALICE: self._user(self.ALICE, "alice"),
            self.ADMIN: self._user(self.ADMIN, "ada"),
            self.OTHER_BOT: self._user(self.OTHER_BOT, "otherbot", bot=True),
            self.BOB: self._user(self.BOB, "bob"),
        }
        self.member_roles = {self.BOT_ID: [self.BOT_ROLE], self.ADMIN: [self.ADMIN_ROLE]}
        self.dm_channels: dict[int, int] = {}

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> "FakeDiscord":
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the port the OS picked
        return self

    async def close(self) -> None:
        for task in list(self._echoes):
            task.cancel()
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- payloads -----------------------------------------------------------------------
    @staticmethod
    def _user(uid: int, name: str, *, bot: bool = False) -> dict:
        return {"id": str(uid), "username": name, "discriminator": "0", "global_name": name.title(),
                "avatar": None, "bot": bot, "public_flags": 0}

    def _member(self, uid: int) -> dict:
        return {"user": self.users[uid], "roles": [str(r) for r in self.member_roles.get(uid, [])],
                "joined_at": TIMESTAMP, "deaf": False, "mute": False, "flags": 0, "nick": None}

    def _partial_member(self, uid: int) -> dict:
        """A message's `member`: the member without its user (that is the `author`)."""
        return {k: v for k, v in self._member(uid).items() if k != "user"}

    def _channel(self, cid: int, name: str, *, kind: int = 0, parent: int | None = None) -> dict:
        data = {"id": str(cid), "type": kind, "name": name, "guild_id": str(self.GUILD_ID), "position": 0,
                "permission_overwrites": [], "nsfw": False, "parent_id": str(parent) if parent else None,
                "topic": None, "last_message_id": None, "rate_limit_per_user": 0}
        if kind == 11:
            data.update(owner_id=str(self.ALICE), message_count=1, member_count=1, total_message_sent=1,
                        thread_metadata={"archived": False, "auto_archive_duration": 1440,
                                         "archive_timestamp": TIMESTAMP, "locked": False})
        return data

    def _channel_kind(self, cid: int) -> int:
        if cid in self.dm_channels.values():
            return 1
        return 11 if cid == self.THREAD else 0

    def guild_payload(self) -> dict:
        role = lambda rid, name, perms, managed=False: {  # noqa: E731
            "id": str(rid), "name": name, "permissions": str(perms), "position": 0 if rid == self.GUILD_ID else 1,
            "color": 0, "hoist": False, "managed": managed, "mentionable": True, "flags": 0}
        return {
            "id": str(self.GUILD_ID), "name": "Cyber Policy", "icon": None, "owner_id": str(self.ADMIN),
            "unavailable": False, "large": False, "member_count": len(self.users), "features": [],
            "roles": [role(self.GUILD_ID, "@everyone", 0x400 | 0x800 | 0x10000),
                      role(self.ADMIN_ROLE, "admins", 0x20), role(self.BOT_ROLE, "callbot", 0x4C00, managed=True)],
            "channels": [self._channel(self.GENERAL, "general"), self._channel(self.AUTO_CHANNEL, "ask-the-call")],
            "threads": [self._channel(self.THREAD, "principles-thread", kind=11, parent=self.GENERAL)],
            "members": [self._member(uid) for uid in self.users],
            "emojis": [], "stickers": [], "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "system_channel_id": None, "afk_channel_id": None,
            "afk_timeout": 300, "joined_at": TIMESTAMP,
        }

    def _message(self, *, channel_id: int, author: dict, content: str, member: dict | None = None,
                 embeds: list | None = None, flags: int = 0, webhook_id: int | None = None,
                 reference: dict | None = None, attachments: list | None = None,
                 components: list | None = None) -> dict:
        mentioned = [self.users[int(u)] for u in _USER_MENTION.findall(content) if int(u) in self.users]
        data = {
            "id": str(next(self._ids)), "channel_id": str(channel_id), "author": author, "content": content,
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False,
            "mention_everyone": "@everyone" in content or "@here" in content, "mentions": mentioned,
            "mention_roles": _ROLE_MENTION.findall(content), "attachments": attachments or [],
            "embeds": embeds or [], "pinned": False, "type": 19 if reference else 0, "flags": flags,
            "components": components or [],
        }
        if self._channel_kind(channel_id) != 1:
            data["guild_id"] = str(self.GUILD_ID)
            if member is not None:
                data["member"] = member
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if reference:
            data["message_reference"] = reference
        return data

    # -- gateway ------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        if request.query.get("v") != "10" or request.query.get("encoding") != "json":
            self.errors.append(f"gateway connected with unexpected query {dict(request.query)}")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)},
                                      "s": None, "t": None}))
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
                await self._when_open(self.dispatch("RESUMED", {}))
        return ws

    async def _when_open(self, reply: Any) -> None:
        """Send READY / RESUMED now, or once `gateway_open` is set (heartbeats go on meanwhile)."""
        if self.gateway_open.is_set():
            await reply
            return

        async def later() -> None:
            await self.gateway_open.wait()
            await reply

        task = asyncio.get_running_loop().create_task(later())
        self._echoes.add(task)
        task.add_done_callback(self._echoes.discard)

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
        ready = {
            "v": 10, "user": self.users[self.BOT_ID], "guilds": [{"id": str(self.GUILD_ID), "unavailable": True}],
            "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.APP_ID), "flags": 0}, "private_channels": [], "relationships": [],
        }
        if "shard" in data:  # a sharded IDENTIFY gets its [shard_id, num_shards] back
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self.guild_payload())
        self.ready.set()

    @property
    def message_content_intent(self) -> bool:
        return bool(self.identify and int(self.identify.get("intents", 0)) & MESSAGE_CONTENT_INTENT)

    async def dispatch(self, event: str, data: dict) -> None:
        """Send one DISPATCH (op 0) event to the connected client, as a text frame."""
        assert self._ws is not None and not self._ws.closed, "no gateway connection"
        self._seq += 1
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def send_message(self, author_id: int, channel_id: int, content: str) -> dict:
        """A user posts a message; delivered as MESSAGE_CREATE the way Discord would."""
        await asyncio.wait_for(self.ready.wait(), 10)
        in_dm = self._channel_kind(channel_id) == 1
        member = None if in_dm else self._partial_member(author_id)
        data = self._message(channel_id=channel_id, author=self.users[author_id], content=content, member=member)
        mentions_bot = any(m["id"] == str(self.BOT_ID) for m in data["mentions"])
        if not (in_dm or mentions_bot or self.message_content_intent or author_id == self.BOT_ID):
            data["content"] = ""  # what Discord sends without the Message Content intent
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    def dm_channel(self, user_id: int) -> int:
        """The DM channel between the bot and a user (created on first use)."""
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = next(self._ids)
        return self.dm_channels[user_id]

    # -- interactions -------------------------------------------------------------------
    def command(self, name: str) -> dict:
        """A command as the bot registered it (guild registration first, then global)."""
        found = self.commands.get((self.GUILD_ID, name)) or self.commands.get((None, name))
        assert found is not None, f"/{name} was never registered (commands: {sorted(n for _, n in self.commands)})"
        return found

    def _options(self, command: dict, values: dict[str, Any], focused: str | None, resolved: dict) -> list[dict]:
        specs = {o["name"]: o for o in command.get("options", [])}
        out = []
        for name, value in values.items():
            assert name in specs, f"/{command['name']} has no option {name!r}"
            kind = specs[name]["type"]
            if kind == 11:
                filename, data, content_type = value
                att_id = next(self._ids)
                url = f"{self.base}/attachments/{att_id}/{filename}"
                self.attachments[f"/attachments/{att_id}/{filename}"] = (data, content_type)
                resolved.setdefault("attachments", {})[str(att_id)] = {
                    "id": str(att_id), "filename": filename, "size": len(data), "url": url,
                    "proxy_url": url, "content_type": content_type}
                value = str(att_id)
            elif name != focused:
                assert isinstance(value, _OPTION_TYPES[kind]), f"option {name!r} must be {_OPTION_TYPES[kind]}"
            option = {"name": name, "type": kind, "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        if focused is None:
            missing = [n for n, o in specs.items() if o.get("required") and n not in values]
            assert not missing, f"/{command['name']} needs {missing}"
        return out

    async def invoke(self, name: str, options: dict[str, Any] | None = None, *, user_id: int | None = None,
                     channel_id: int | None = None, focused: str | None = None) -> FakeInteraction:
        """A user runs a registered slash command (or types in an autocompleted option)."""
        await asyncio.wait_for(self.ready.wait(), 10)
        user_id = self.ALICE if user_id is None else user_id
        channel_id = self.GENERAL if channel_id is None else channel_id
        command = self.command(name)
        resolved: dict = {}
        data = {"id": command["id"], "name": name, "type": 1,
                "options": self._options(command, options or {}, focused, resolved)}
        if resolved:
            data["resolved"] = resolved
        return await self._interact(4 if focused else 2, data, user_id, channel_id)

    async def click(self, message: dict, custom_id: str, *, user_id: int | None = None) -> FakeInteraction:
        """A user clicks a button on a message the bot sent (a MESSAGE_COMPONENT interaction)."""
        await asyncio.wait_for(self.ready.wait(), 10)
        user_id = self.ALICE if user_id is None else user_id
        stored = self.bot_messages.get(str(message["id"]))
        assert stored is not None, f"message {message['id']} was not sent by the bot"
        buttons = [b for row in stored["components"] for b in row["components"]]
        assert any(b.get("custom_id") == custom_id for b in buttons), (
            f"message {message['id']} has no button {custom_id!r} (it has {[b.get('custom_id') for b in buttons]})")
        owner = self._ephemeral_owner.get(stored["id"])
        assert owner in (None, user_id), f"user {user_id} cannot see user {owner}'s ephemeral message"
        data = {"custom_id": custom_id, "component_type": BUTTON}
        return await self._interact(3, data, user_id, int(stored["channel_id"]), message=stored)

    async def _interact(self, kind: int, data: dict, user_id: int, channel_id: int,
                        message: dict | None = None) -> FakeInteraction:
        """Dispatch an INTERACTION_CREATE from `user_id` in `channel_id`, as Discord shapes it."""
        iid, token = next(self._ids), f"itoken-{next(self._ids)}"
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(self.APP_ID), "type": kind, "token": token,
            "version": 1, "data": data, "locale": "en-US", "attachment_size_limit": 10_000_000,
            "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {},
        }
        if message is not None:
            payload["message"] = message
        channel_kind = self._channel_kind(channel_id)
        if channel_kind == 1:
            payload.update(user=self.users[user_id], context=1, channel={"id": str(channel_id), "type": 1},
                           channel_id=str(channel_id))
        else:
            member = self._member(user_id)
            member["permissions"] = str(0x20 if self.ADMIN_ROLE in self.member_roles.get(user_id, []) else 0x800)
            parent = self.GENERAL if channel_kind == 11 else None
            payload.update(guild_id=str(self.GUILD_ID), member=member, context=0, channel_id=str(channel_id),
                           channel=self._channel(channel_id, "channel", kind=channel_kind, parent=parent),
                           guild_locale="en-US", guild={"id": str(self.GUILD_ID), "features": [], "locale": "en-US"})
        interaction = FakeInteraction(iid, token, time.monotonic(), channel_id, kind=kind, user_id=user_id)
        self.interactions[token] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def wait_answered(self, interaction: FakeInteraction, count: int = 1, timeout: float = 10) -> FakeInteraction:
        """Wait until the bot sent the callback and `count` follow-ups (0: callback only)."""
        async def done() -> None:
            while interaction.callback is None or len(interaction.followups) < count:
                interaction.answered.clear()
                await interaction.answered.wait()
        await asyncio.wait_for(done(), timeout)
        return interaction

    # -- REST ---------------------------------------------------------------------------
    def fail_next(self, method: str, path_pattern: str, status: int, body: dict) -> None:
        """Make the next matching API request fail (403, 429...) the way Discord would."""
        self.failures.append((method, re.compile(path_pattern), status, body))

    def messages_out(self) -> list[dict]:
        """Every message payload the bot sent or edited, whatever the route."""
        out = []
        for req in self.requests:
            if req.status >= 300 or not isinstance(req.body, dict):
                continue
            if req.method == "POST" and re.fullmatch(r"/channels/\d+/messages", req.path):
                out.append(req.body)
            elif re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/@original)?", req.path) and req.method in ("POST", "PATCH"):
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
            response = _error(404, 0, "404: Not Found")
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

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.TOKEN}"

    async def _route(self, request: web.Request, path: str, body: Any) -> web.Response | None:
        method = request.method
        for i, (f_method, pattern, status, f_body) in enumerate(self.failures):
            if f_method == method and pattern.fullmatch(path):
                del self.failures[i]
                headers = {"Content-Type": "application/json"}
                if status == 429:
                    # discord.py retries a 429 only when it came through Discord's proxy (a Via header).
                    headers.update({"Retry-After": str(f_body.get("retry_after", 0.1)), "X-RateLimit-Scope": "user",
                                    "Via": "1.1 google"})
                return web.Response(status=status, body=json.dumps(f_body).encode(), headers=headers)
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m.group(2), body)
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/@original)?", path):
            return self._webhook(method, m.group(2), bool(m.group(3)), body)
        if not self._authorized(request):
            return _error(401, 0, "401: Unauthorized")
        if method == "GET" and path == "/users/@me":
            return _json(self.users[self.BOT_ID])
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json({"id": str(self.APP_ID), "name": "callbot", "description": "", "icon": None,
                          "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
                          "flags": 0, "team": None, "owner": self.users[self.ADMIN], "summary": ""})
        if method == "GET" and path == "/gateway/bot":
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
        if m := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path):
            if method == "PUT" and int(m.group(1)) == self.APP_ID:
                return self._register(int(m.group(2)) if m.group(2) else None, body)
        if method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", path)):
            return self._create_message(int(m.group(1)), body)
        if method == "POST" and path == "/users/@me/channels":
            cid = self.dm_channel(int(body["recipient_id"]))
            return _json({"id": str(cid), "type": 1, "recipients": [self.users[int(body["recipient_id"])]],
                          "last_message_id": None})
        return None

    def _register(self, guild_id: int | None, body: list[dict]) -> web.Response:
        for key in [k for k in self.commands if k[0] == guild_id]:
            del self.commands[key]
        out = []
        for command in body:
            registered = {"type": 1, **command, "id": str(next(self._ids)), "application_id": str(self.APP_ID),
                          "version": "1", "options": command.get("options", [])}
            if registered.get("default_member_permissions") is not None:  # Discord answers with a string
                registered["default_member_permissions"] = str(registered["default_member_permissions"])
            if guild_id is not None:
                registered["guild_id"] = str(guild_id)
            self.commands[(guild_id, command["name"])] = registered
            out.append(registered)
        return _json(out)

    def _check(self, payload: dict, where: str) -> web.Response | None:
        problems = embed_problems(payload)
        if problems:
            self.errors.append(f"{where}: " + "; ".join(problems))
            return _error(400, 50035, "Invalid Form Body: " + "; ".join(problems))
        return None

    def _create_message(self, channel_id: int, body: dict) -> web.Response:
        known = {self.GENERAL, self.AUTO_CHANNEL, self.THREAD, *self.dm_channels.values()}
        if channel_id not in known:
            self.errors.append(f"message to unknown channel {channel_id}")
            return _error(404, 10003, "Unknown Channel")
        if (refused := self._check(body, f"POST /channels/{channel_id}/messages")) is not None:
            return refused
        member = None if self._channel_kind(channel_id) == 1 else self._partial_member(self.BOT_ID)
        message = self._message(channel_id=channel_id, author=self.users[self.BOT_ID], member=member,
                                content=body.get("content") or "", embeds=body.get("embeds"),
                                flags=body.get("flags") or 0, reference=body.get("message_reference"),
                                components=body.get("components"))
        self.bot_messages[message["id"]] = message
        # Like Discord, the bot's own message comes back to it through the gateway.
        if self._ws is not None and not self._ws.closed:
            task = asyncio.get_running_loop().create_task(self.dispatch("MESSAGE_CREATE", message))
            self._echoes.add(task)
            task.add_done_callback(self._echoes.discard)
        return _json(message)

    def _callback(self, token: str, body: dict) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            self.errors.append("callback for an unknown interaction")
            return _error(404, 10062, "Unknown interaction")
        late = time.monotonic() - interaction.created
        if late > CALLBACK_LIMIT_SECONDS:
            self.errors.append(f"interaction callback after {late:.2f} s (Discord allows 3)")
            return _error(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            self.errors.append("second callback for one interaction")
            return _error(400, 40060, "Interaction has already been acknowledged.")
        kind, data = body.get("type"), body.get("data") or {}
        if kind == 4 and (refused := self._check(data, "interaction callback")) is not None:
            return refused
        interaction.callback = body
        interaction.answered.set()
        flags = data.get("flags") or 0
        result: dict[str, Any] = {"interaction": {
            "id": str(interaction.id), "type": interaction.kind, "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL)}}
        if kind in (4, 5):
            message = self._bot_message(interaction, data)
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return _json(result)

    def _webhook(self, method: str, token: str, original: bool, body: Any) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None or interaction.callback is None:
            self.errors.append(f"{method} follow-up before the interaction was acknowledged")
            return _error(404, 10015, "Unknown Webhook")
        if method in ("POST", "PATCH"):
            if (refused := self._check(body or {}, f"{method} follow-up")) is not None:
                return refused
            interaction.followups.append(body)
            interaction.answered.set()
        elif method not in ("GET", "DELETE"):
            return _error(405, 0, "405: Method Not Allowed")
        if method == "DELETE":
            return web.Response(status=204)
        if method == "GET":
            return _json(self._message(channel_id=interaction.channel_id, author=self.users[self.BOT_ID],
                                       content="", webhook_id=self.APP_ID))
        return _json(self._bot_message(interaction, body or {}))

    def _bot_message(self, interaction: FakeInteraction, data: dict) -> dict:
        """A message the bot sent in answer to an interaction, stored so it can be clicked."""
        flags = data.get("flags") or 0
        message = self._message(channel_id=interaction.channel_id, author=self.users[self.BOT_ID],
                                content=data.get("content") or "", embeds=data.get("embeds"), flags=flags,
                                webhook_id=self.APP_ID, components=data.get("components"))
        self.bot_messages[message["id"]] = message
        if flags & EPHEMERAL and interaction.user_id is not None:
            self._ephemeral_owner[message["id"]] = interaction.user_id
        return message

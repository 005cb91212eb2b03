"""A fake Slack over real sockets, for end-to-end tests of the Slack adapter with real slack-bolt.

One `FakeSlack` per test, bound to 127.0.0.1 port 0. It serves:

* the Web API under `/api/<method>` (only the methods the bot is expected to call; any other
  method is a *problem* and fails the test at teardown) and records every call;
* a Socket Mode websocket (the URL `apps.connections.open` hands out): it sends `hello`,
  pushes envelopes and records the bot's acks with their latency; a test can hold new
  connections back (`hold_connections`) and drop the current one (`drop_connection`);
* `response_url` sinks (`/respond/<id>`) recording what slash commands and buttons answered;
* private file downloads (`/files-pri/...`), which need the bot token like real Slack;
* a sender of HTTP-mode requests signed `v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`.

Messages and response payloads are checked against Block Kit's limits the way Slack checks
them (`invalid_blocks`, `msg_too_long`), so a reply that Slack would refuse fails the test.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
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

RESPONSE_URL_USES = 5  # Slack accepts five posts to one response_url
KNOWN_METHODS = {
    "auth.test", "apps.connections.open", "chat.postMessage", "chat.postEphemeral",
    "files.info", "users.info", "oauth.v2.access",
}
BOT_TOKEN_METHODS = {"chat.postMessage", "chat.postEphemeral", "files.info", "users.info"}


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


@dataclass
class FakeSlack:
    host: str = "127.0.0.1"
    calls: list[ApiCall] = field(default_factory=list)
    acks: dict[str, Ack] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bot_tokens: dict[str, _Identity] = {BOT_TOKEN: _Identity(TEAM_ID, BOT_USER_ID, BOT_ID)}
        self.app_tokens = {APP_TOKEN}
        self.oauth_codes: dict[str, tuple[str, _Identity]] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self._ids = itertools.count(1)
        self._tickets: set[str] = set()
        self._ws: web.WebSocketResponse | None = None
        self._ws_connected = asyncio.Event()
        self._connections_open = asyncio.Event()
        self._connections_open.set()
        self.connections = 0  # websockets accepted so far
        self._sent_at: dict[str, float] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> "FakeSlack":
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/respond/{rid}", self._respond)
        app.router.add_get("/files-pri/{file_id}/{name}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # -- scripting the fake ---------------------------------------------------------------
    def add_user(self, user_id: str, *, is_admin: bool = False, is_owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id, "team_id": TEAM_ID, "name": user_id.lower(), "is_bot": False,
            "is_admin": is_admin, "is_owner": is_owner, "is_primary_owner": False,
        }

    def add_file(self, name: str, data: bytes, *, user: str = "U0ADMIN", mimetype: str = "text/markdown") -> str:
        file_id = f"F{next(self._ids):06d}"
        url = f"{self.base_url}/files-pri/{TEAM_ID}-{file_id}/{name}"
        meta = {
            "id": file_id, "name": name, "title": name, "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1], "size": len(data), "user": user,
            "url_private": url, "url_private_download": url + "?download=1",
        }
        self.files[file_id] = (meta, data)
        return file_id

    def add_oauth_code(self, code: str, team_id: str, bot_token: str, bot_user_id: str, bot_id: str) -> None:
        """`oauth.v2.access` with this code installs the app in `team_id` with that bot token."""
        self.oauth_codes[code] = (bot_token, _Identity(team_id, bot_user_id, bot_id))

    def rate_limit(self, method: str, *retry_after: int) -> None:
        """The next len(retry_after) calls of `method` get HTTP 429 with that Retry-After."""
        self._rate_limits.setdefault(method, []).extend(retry_after)

    def new_response_url(self) -> str:
        return f"{self.base_url}/respond/R{next(self._ids):06d}"

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ids)}.{next(self._ids):06d}"

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

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
        """Wait until `predicate()` is truthy (re-checked at every recorded event)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except asyncio.TimeoutError:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}; calls: {seen}") from None
        return predicate()

    async def wait_posts(self, n: int, timeout: float = 5.0) -> list[ApiCall]:
        return await self.wait_until(lambda: len(self.posts()) >= n and self.posts(), timeout, f"{n} posts")

    async def wait_responses(self, response_url: str, n: int = 1, timeout: float = 5.0) -> list[Response]:
        return await self.wait_until(
            lambda: len(self.responses_to(response_url)) >= n and self.responses_to(response_url),
            timeout, f"{n} responses to {response_url}",
        )

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _problem(self, text: str) -> None:
        self.problems.append(text)

    # -- Web API ----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.get("token")
        call = ApiCall(method, params, token, time.monotonic())
        self.calls.append(call)
        try:
            if method not in KNOWN_METHODS:
                self._problem(f"unexpected Web API method {method}")
                return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
            pending = self._rate_limits.get(method)
            if pending:
                params["_rate_limited"] = True
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(pending.pop(0))}
                )
            call.response = self._answer(method, params, token, request)
            return web.json_response(call.response)
        finally:
            await self._notify()

    def _answer(self, method: str, params: dict[str, Any], token: str | None, request: web.Request) -> dict[str, Any]:
        if method == "apps.connections.open":
            if token not in self.app_tokens:
                return {"ok": False, "error": "not_allowed_token_type" if token in self.bot_tokens else "invalid_auth"}
            ticket = f"t{next(self._ids)}"
            self._tickets.add(ticket)
            return {"ok": True, "url": f"ws://{self.host}:{self.port}/link/?ticket={ticket}"}
        if method == "oauth.v2.access":
            return self._oauth_access(params, request)
        ident = self.bot_tokens.get(token or "")
        if ident is None:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        if method == "auth.test":
            return {
                "ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "callbot",
                "team_id": ident.team_id, "user_id": ident.user_id, "bot_id": ident.bot_id,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return self._post(method, params)
        if method == "files.info":
            entry = self.files.get(str(params.get("file", "")))
            return {"ok": True, "file": entry[0]} if entry else {"ok": False, "error": "file_not_found"}
        if method == "users.info":
            user = self.users.get(str(params.get("user", "")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        raise AssertionError(method)  # pragma: no cover - KNOWN_METHODS covers the rest

    def _post(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            self._problem(f"{method} without a channel")
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.postEphemeral" and not params.get("user"):
            self._problem("chat.postEphemeral without a user")
            return {"ok": False, "error": "user_not_found"}
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
            params["blocks"] = blocks
        errors = validate_message(params.get("text"), blocks)
        if errors:
            self._problem(f"{method} refused: {errors}")
            return {"ok": False, "error": "invalid_blocks" if blocks else "no_text", "errors": errors}
        ts = self.next_ts()
        return {"ok": True, "channel": params["channel"], "ts": ts, "message_ts": ts,
                "message": {"text": params.get("text"), "ts": ts}}

    def _oauth_access(self, params: dict[str, Any], request: web.Request) -> dict[str, Any]:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            import base64

            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.oauth_codes.pop(str(params.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        bot_token, ident = grant
        self.bot_tokens[bot_token] = ident
        return {
            "ok": True, "app_id": APP_ID, "access_token": bot_token, "token_type": "bot",
            "scope": "app_mentions:read,chat:write,commands", "bot_user_id": ident.user_id,
            "team": {"id": ident.team_id, "name": "Other"}, "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"}, "is_enterprise_install": False,
        }

    # -- files ------------------------------------------------------------------------------
    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"].split("-", 1)[-1]
        auth = request.headers.get("Authorization", "")
        self.calls.append(ApiCall("files.download", {"file": file_id}, auth[7:] or None, time.monotonic()))
        await self._notify()
        if auth[7:] not in self.bot_tokens:  # real Slack answers a sign-in page, not a 401
            return web.Response(text="<html><body>Sign in to Slack</body></html>", content_type="text/html")
        entry = self.files.get(file_id)
        if entry is None:
            return web.Response(status=404)
        return web.Response(body=entry[1], content_type="application/octet-stream")

    # -- response_url -----------------------------------------------------------------------
    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append(Response(request.match_info["rid"], body, time.monotonic()))
        if len([r for r in self.responses if r.rid == request.match_info["rid"]]) > RESPONSE_URL_USES:
            self._problem(f"response_url {request.match_info['rid']} used more than {RESPONSE_URL_USES} times")
        if body.get("response_type") not in (None, "ephemeral", "in_channel"):
            self._problem(f"response_url payload with response_type {body.get('response_type')!r}")
        if not body.get("delete_original"):
            errors = validate_message(body.get("text"), body.get("blocks"))
            if errors:
                self._problem(f"response_url payload refused: {errors}")
        await self._notify()
        return web.Response(text="ok")

    # -- Socket Mode ------------------------------------------------------------------------
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
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake-applink"}, "connection_info": {"app_id": APP_ID}})
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
            self.acks[envelope_id] = Ack(envelope_id, data.get("payload"), time.monotonic() - self._sent_at[envelope_id])
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
            "envelope_id": envelope_id, "type": kind, "payload": payload,
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

    # -- payload builders -------------------------------------------------------------------
    def event_body(self, event: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID) -> dict[str, Any]:
        """An Events API `event_callback` body around `event`."""
        return {
            "token": "legacy-verification-token", "team_id": team_id, "api_app_id": APP_ID,
            "event": event, "type": "event_callback", "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()), "is_ext_shared_channel": False,
            "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}],
        }

    def mention(self, text: str, *, user: str = "U0ALICE", channel: str = "C0POLICY", ts: str | None = None,
                thread_ts: str | None = None, files: list[dict[str, Any]] | None = None,
                bot_user_id: str = BOT_USER_ID) -> dict[str, Any]:
        event: dict[str, Any] = {"type": "app_mention", "user": user, "text": f"<@{bot_user_id}> {text}",
                                 "ts": ts or self.next_ts(), "channel": channel, "event_ts": ts or "0"}
        event["event_ts"] = event["ts"]
        if thread_ts:
            event["thread_ts"] = thread_ts
        if files:
            event["files"] = files
        return event

    def dm(self, text: str, *, user: str = "U0ALICE", channel: str = "D0ALICE", ts: str | None = None,
           files: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {"type": "message", "channel_type": "im", "user": user, "text": text,
                                 "ts": ts or self.next_ts(), "channel": channel}
        event["event_ts"] = event["ts"]
        if files:
            event["subtype"] = "file_share"
            event["files"] = files
        event.update(extra)
        return event

    def command_payload(self, text: str, *, command: str = "/paris-call", user: str = "U0ALICE",
                        channel: str = "C0POLICY") -> dict[str, str]:
        return {
            "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "fake",
            "channel_id": channel, "channel_name": "policy", "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": self.new_response_url(), "trigger_id": f"trig-{next(self._ids)}",
        }

    def block_action_payload(self, action: dict[str, Any], *, user: str = "U0ALICE",
                             channel: str = "C0POLICY", message: ApiCall | None = None) -> dict[str, Any]:
        """A click on a button: of an ephemeral message, or of `message` (a recorded post)."""
        container: dict[str, Any] = {"type": "message", "is_ephemeral": True, "channel_id": channel}
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID, "token": "legacy-verification-token", "container": container,
            "trigger_id": f"trig-{next(self._ids)}", "team": {"id": TEAM_ID, "domain": "fake"},
            "channel": {"id": channel, "name": "policy"}, "response_url": self.new_response_url(),
            "actions": [{**action, "type": "button", "block_id": action.get("block_id", "b"),
                         "action_ts": str(time.time())}],
        }
        if message is not None:
            if not self._has_button(message.params.get("blocks"), action):
                raise AssertionError(f"that message has no button {action}")
            channel = message.params["channel"]
            ts = (message.response or {}).get("ts", "")
            container.update(is_ephemeral=False, channel_id=channel, message_ts=ts)
            payload["channel"] = {"id": channel, "name": channel.lower()}
            payload["message"] = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts,
                                  "text": message.params.get("text"), "blocks": message.params.get("blocks")}
        return payload

    @staticmethod
    def _has_button(blocks: Any, action: dict[str, Any]) -> bool:
        return any(el.get("action_id") == action.get("action_id") and el.get("value") == action.get("value")
                   for b in blocks or [] if b.get("type") == "actions" for el in b.get("elements", []))

    # -- HTTP mode sender ---------------------------------------------------------------------
    @staticmethod
    def sign(secret: str, timestamp: str, body: str) -> str:
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return f"v0={digest}"

    async def post_signed(
        self, url: str, body: str, content_type: str, *, secret: str = SIGNING_SECRET,
        timestamp: int | None = None, signature: str | None = None, headers: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        """POST like Slack does in HTTP mode; returns (status, body, seconds to answer)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self.sign(secret, ts, body), **(headers or {}),
        }
        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=body.encode(), headers=all_headers) as resp:
                return resp.status, await resp.text(), time.monotonic() - started

    async def post_event(self, url: str, body: dict[str, Any], *, retry_num: int | None = None, **kw: Any):
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return await self.post_signed(url, json.dumps(body), "application/json", headers=headers, **kw)

    async def post_command(self, url: str, payload: dict[str, str], **kw: Any):
        return await self.post_signed(url, urllib.parse.urlencode(payload), "application/x-www-form-urlencoded", **kw)

    async def post_interaction(self, url: str, payload: dict[str, Any], **kw: Any):
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post_signed(url, body, "application/x-www-form-urlencoded", **kw)


# -- Block Kit limits, as Slack enforces them ---------------------------------------------------
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_TEXT = 40_000


def _text_object(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = ("mrkdwn", "plain_text")) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where}: not a {'/'.join(kinds)} text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters > {limit}"]
    return []


def validate_blocks(blocks: Any) -> list[str]:
    """Why Slack would refuse these blocks (empty list: it would accept them)."""
    if not isinstance(blocks, list) or not blocks:
        return ["blocks must be a non-empty list"]
    errors = [f"{len(blocks)} blocks > {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"{where}: section without text")
            if "text" in block:
                errors += _text_object(block["text"], where + ".text", MAX_SECTION_TEXT)
            for j, fld in enumerate(block.get("fields", [])):
                errors += _text_object(fld, f"{where}.fields[{j}]", 2000)
        elif kind == "header":
            errors += _text_object(block.get("text"), where + ".text", 150, ("plain_text",))
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                errors.append(f"{where}: context needs 1..10 elements, has {len(elements)}")
            for j, el in enumerate(elements):
                errors += _text_object(el, f"{where}.elements[{j}]", MAX_SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                errors.append(f"{where}: actions needs 1..25 elements")
            for j, el in enumerate(elements):
                errors += _button(el, f"{where}.elements[{j}]")
            ids = [el.get("action_id") for el in elements if isinstance(el, dict)]
            if len(ids) != len(set(ids)):
                errors.append(f"{where}: action_ids must be unique within a block")
        elif kind != "divider":
            errors.append(f"{where}: unsupported block type {kind!r}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None and len(block_id) > 255:
            errors.append(f"{where}: block_id too long")
    return errors


def _button(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict) or el.get("type") != "button":
        return [f"{where}: only buttons are expected"]
    errors = _text_object(el.get("text"), where + ".text", 75, ("plain_text",))
    if not el.get("action_id") or len(el["action_id"]) > 255:
        errors.append(f"{where}: action_id missing or too long")
    if len(el.get("value", "")) > 2000:
        errors.append(f"{where}: value longer than 2000 characters")
    if el.get("style") not in (None, "primary", "danger"):
        errors.append(f"{where}: style must be primary or danger")
    return errors


def validate_message(text: Any, blocks: Any) -> list[str]:
    """Slack needs text or blocks; text is capped, blocks are checked as above."""
    errors: list[str] = []
    if blocks is None and not text:
        errors.append("no text and no blocks")
    if text is not None and len(str(text)) > MAX_TEXT:
        errors.append(f"text {len(str(text))} characters > {MAX_TEXT}")
    if blocks is not None:
        errors += validate_blocks(blocks)
    return errors


def all_text(payload: dict[str, Any]) -> str:
    """Every piece of text Slack would display for a message (the `text` fields, at any depth).

    Button values, action ids and URLs are not displayed, so they are left out.
    """
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in payload.items() if k in ("text", "blocks")})
    return "\n".join(out)

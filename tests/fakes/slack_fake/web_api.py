"""Everything the bot calls over HTTP: the Web API, private file downloads and response_urls.

Only the Web API methods the bot is expected to call exist; any other is a problem. Every
call is recorded in `calls`, every response_url post in `responses`.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from aiohttp import web

from .base import APP_ID, BOT_ID, BOT_USER_ID, CLIENT_ID, CLIENT_SECRET, ApiCall, Response, SlackBase
from .blocks import validate_message

RESPONSE_URL_USES = 5  # Slack accepts five posts to one response_url
KNOWN_METHODS = {
    "auth.test",
    "apps.connections.open",
    "chat.postMessage",
    "chat.postEphemeral",
    "files.info",
    "users.info",
    "oauth.v2.access",
    "conversations.replies",
    "conversations.history",
}
BOT_TOKEN_METHODS = {
    "chat.postMessage",
    "chat.postEphemeral",
    "files.info",
    "users.info",
    "conversations.replies",
    "conversations.history",
}


class WebApiMixin(SlackBase):
    """Handlers for `/api/<method>`, `/files-pri/...` and `/respond/<id>`."""

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
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "callbot",
                "team_id": ident.team_id,
                "user_id": ident.user_id,
                "bot_id": ident.bot_id,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return self._post(method, params)
        if method == "files.info":
            entry = self.files.get(str(params.get("file", "")))
            return {"ok": True, "file": entry[0]} if entry else {"ok": False, "error": "file_not_found"}
        if method == "conversations.replies":
            return self._replies(params)
        if method == "conversations.history":
            return self._history(params)
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
        if method == "chat.postMessage":
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": params.get("text") or ""}
            thread = params.get("thread_ts")
            self.messages.append(
                {**message, "ts": ts, "channel": params["channel"], **({"thread_ts": thread} if thread else {})}
            )
        return {
            "ok": True,
            "channel": params["channel"],
            "ts": ts,
            "message_ts": ts,
            "message": {"text": params.get("text"), "ts": ts},
        }

    def _in(self, channel: str) -> list[dict[str, Any]]:
        return sorted((m for m in self.messages if m["channel"] == channel), key=lambda m: float(m["ts"]))

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first (Slack's order)."""
        root = str(params.get("ts", ""))
        found = [m for m in self._in(str(params.get("channel", ""))) if m["ts"] == root or m.get("thread_ts") == root]
        if not found:
            return {"ok": False, "error": "thread_not_found"}
        limit = int(params.get("limit") or 1000)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's top-level messages between `oldest` and `latest`, newest first."""
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or 1e12)
        top = [
            m
            for m in self._in(str(params.get("channel", "")))
            if m.get("thread_ts") in (None, m["ts"]) and oldest < float(m["ts"]) < latest
        ]
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": list(reversed(top))[:limit], "has_more": len(top) > limit}

    def _oauth_access(self, params: dict[str, Any], request: web.Request) -> dict[str, Any]:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.oauth_codes.pop(str(params.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        bot_token, ident = grant
        self.bot_tokens[bot_token] = ident
        return {
            "ok": True,
            "app_id": APP_ID,
            "access_token": bot_token,
            "token_type": "bot",
            "scope": "app_mentions:read,chat:write,commands",
            "bot_user_id": ident.user_id,
            "team": {"id": ident.team_id, "name": "Other"},
            "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"},
            "is_enterprise_install": False,
        }

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

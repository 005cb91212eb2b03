"""REST routes under `/api/v10`: the few discord.py calls, answered as Discord would.

Strict on purpose: an interaction callback later than Discord's 3 seconds, a second
callback, a follow-up before the callback or a message over Discord's limits is refused and
recorded in `errors`. `fail_next` scripts the next matching request to fail (403, 429...).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from aiohttp import web

from .base import CALLBACK_LIMIT_SECONDS, EPHEMERAL, FakeInteraction
from .interactions import InteractionsMixin
from .limits import embed_problems


def json_response(data: Any, status: int = 200) -> web.Response:
    """Exactly `application/json`: with a charset discord.py reads the body as text."""
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error_response(status: int, code: int, message: str) -> web.Response:
    return json_response({"code": code, "message": message}, status)


class RestMixin(InteractionsMixin):
    """`_route` answers one API request, or returns None for a route Discord does not have."""

    def fail_next(self, method: str, path_pattern: str, status: int, body: dict) -> None:
        """Make the next matching API request fail (403, 429...) the way Discord would."""
        self.failures.append((method, re.compile(path_pattern), status, body))

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
                    headers.update(
                        {
                            "Retry-After": str(f_body.get("retry_after", 0.1)),
                            "X-RateLimit-Scope": "user",
                            "Via": "1.1 google",
                        }
                    )
                return web.Response(status=status, body=json.dumps(f_body).encode(), headers=headers)
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m.group(2), body)
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/@original)?", path):
            return self._webhook(method, m.group(2), bool(m.group(3)), body)
        if not self._authorized(request):
            return error_response(401, 0, "401: Unauthorized")
        if method == "GET" and path == "/users/@me":
            return json_response(self.users[self.BOT_ID])
        if method == "GET" and path == "/oauth2/applications/@me":
            return json_response(
                {
                    "id": str(self.APP_ID),
                    "name": "callbot",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "00",
                    "flags": 0,
                    "team": None,
                    "owner": self.users[self.ADMIN],
                    "summary": "",
                }
            )
        if method == "GET" and path == "/gateway/bot":
            return json_response(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
                }
            )
        m = re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path)
        if m and method == "PUT" and int(m.group(1)) == self.APP_ID:
            return self._register(int(m.group(2)) if m.group(2) else None, body)
        if method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", path)):
            return self._create_message(int(m.group(1)), body)
        if method == "GET" and (m := re.fullmatch(r"/channels/(\d+)/messages(?:/(\d+))?", path)):
            return self._read_messages(int(m.group(1)), m.group(2), dict(request.query))
        if method == "POST" and path == "/users/@me/channels":
            cid = self.dm_channel(int(body["recipient_id"]))
            return json_response(
                {
                    "id": str(cid),
                    "type": 1,
                    "recipients": [self.users[int(body["recipient_id"])]],
                    "last_message_id": None,
                }
            )
        return None

    def _register(self, guild_id: int | None, body: list[dict]) -> web.Response:
        for key in [k for k in self.commands if k[0] == guild_id]:
            del self.commands[key]
        out = []
        for command in body:
            registered = {
                "type": 1,
                **command,
                "id": str(next(self._ids)),
                "application_id": str(self.APP_ID),
                "version": "1",
                "options": command.get("options", []),
            }
            if registered.get("default_member_permissions") is not None:  # Discord answers with a string
                registered["default_member_permissions"] = str(registered["default_member_permissions"])
            if guild_id is not None:
                registered["guild_id"] = str(guild_id)
            self.commands[(guild_id, command["name"])] = registered
            out.append(registered)
        return json_response(out)

    def _check(self, payload: dict, where: str) -> web.Response | None:
        problems = embed_problems(payload)
        if problems:
            self.errors.append(f"{where}: " + "; ".join(problems))
            return error_response(400, 50035, "Invalid Form Body: " + "; ".join(problems))
        return None

    def _create_message(self, channel_id: int, body: dict) -> web.Response:
        known = {self.GENERAL, self.AUTO_CHANNEL, self.THREAD, *self.dm_channels.values()}
        if channel_id not in known:
            self.errors.append(f"message to unknown channel {channel_id}")
            return error_response(404, 10003, "Unknown Channel")
        if (refused := self._check(body, f"POST /channels/{channel_id}/messages")) is not None:
            return refused
        member = None if self._channel_kind(channel_id) == 1 else self._partial_member(self.BOT_ID)
        message = self._message(
            channel_id=channel_id,
            author=self.users[self.BOT_ID],
            member=member,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            flags=body.get("flags") or 0,
            reference=body.get("message_reference"),
            components=body.get("components"),
        )
        self.bot_messages[message["id"]] = message
        # Like Discord, the bot's own message comes back to it through the gateway.
        if self._ws is not None and not self._ws.closed:
            self._background(self.dispatch("MESSAGE_CREATE", message))
        return json_response(message)

    def _read_messages(self, channel_id: int, message_id: str | None, query: dict[str, str]) -> web.Response:
        """One message, or a channel's history (newest first, `before` / `after` / `limit`),
        as Discord serves them with the Read Message History permission."""
        stored = [
            m for m in (*self.user_messages.values(), *self.bot_messages.values()) if m["channel_id"] == str(channel_id)
        ]
        stored = [self._as_read(m) for m in stored]
        if message_id is not None:
            found = next((m for m in stored if m["id"] == message_id), None)
            return json_response(found) if found else error_response(404, 10008, "Unknown Message")
        before, after = int(query.get("before") or 1 << 63), int(query.get("after") or 0)
        limit = max(1, min(100, int(query.get("limit") or 50)))
        chosen = sorted((m for m in stored if after < int(m["id"]) < before), key=lambda m: -int(m["id"]))
        return json_response(chosen[:limit])

    def _as_read(self, message: dict) -> dict:
        """Without the Message Content intent, people's guild messages that do not mention
        the bot are read with their content blanked, as Discord serves them."""
        mine = message["author"]["id"] == str(self.BOT_ID) or any(
            m["id"] == str(self.BOT_ID) for m in message["mentions"]
        )
        if mine or "guild_id" not in message or self.message_content_intent:
            return message
        return {**message, "content": ""}

    def _callback(self, token: str, body: dict) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            self.errors.append("callback for an unknown interaction")
            return error_response(404, 10062, "Unknown interaction")
        late = time.monotonic() - interaction.created
        if late > CALLBACK_LIMIT_SECONDS:
            self.errors.append(f"interaction callback after {late:.2f} s (Discord allows 3)")
            return error_response(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            self.errors.append("second callback for one interaction")
            return error_response(400, 40060, "Interaction has already been acknowledged.")
        kind, data = body.get("type"), body.get("data") or {}
        if kind == 4 and (refused := self._check(data, "interaction callback")) is not None:
            return refused
        interaction.callback = body
        interaction.answered.set()
        flags = data.get("flags") or 0
        result: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if kind in (4, 5):
            message = self._bot_message(interaction, data)
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return json_response(result)

    def _webhook(self, method: str, token: str, original: bool, body: Any) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None or interaction.callback is None:
            self.errors.append(f"{method} follow-up before the interaction was acknowledged")
            return error_response(404, 10015, "Unknown Webhook")
        if method in ("POST", "PATCH"):
            if (refused := self._check(body or {}, f"{method} follow-up")) is not None:
                return refused
            interaction.followups.append(body)
            interaction.answered.set()
        elif method not in ("GET", "DELETE"):
            return error_response(405, 0, "405: Method Not Allowed")
        if method == "DELETE":
            return web.Response(status=204)
        if method == "GET":
            return json_response(
                self._message(
                    channel_id=interaction.channel_id,
                    author=self.users[self.BOT_ID],
                    content="",
                    webhook_id=self.APP_ID,
                )
            )
        return json_response(self._bot_message(interaction, body or {}))

    def _bot_message(self, interaction: FakeInteraction, data: dict) -> dict:
        """A message the bot sent in answer to an interaction, stored so it can be clicked."""
        flags = data.get("flags") or 0
        message = self._message(
            channel_id=interaction.channel_id,
            author=self.users[self.BOT_ID],
            content=data.get("content") or "",
            embeds=data.get("embeds"),
            flags=flags,
            webhook_id=self.APP_ID,
            components=data.get("components"),
        )
        self.bot_messages[message["id"]] = message
        if flags & EPHEMERAL and interaction.user_id is not None:
            self._ephemeral_owner[message["id"]] = interaction.user_id
        return message

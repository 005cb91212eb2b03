"""Slack HTTP mode's web server: size cap, signature and replay checks before Bolt parses anything.

Bolt's own server parses the body (JSON or `payload=` form) before it checks the signature, so
a malformed unsigned request raised inside aiohttp (a 500 and a traceback), and Bolt logged
every refused body whole. Here the raw bytes are capped, checked against the signing secret
and the 5-minute timestamp window, and a replay of a request already seen (the same
signature, hence the same signed body) is acknowledged without running again. Only then does
Bolt see the request. Every refusal is one short log line that never quotes the body.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.dedup import EventDedup

if TYPE_CHECKING:
    from slack_bolt.app.async_app import AsyncApp

    from bot.config import SlackConfig
    from bot.storage.redis_state import Dedup

log = logging.getLogger(__name__)
SIGNATURE_WINDOW = 300  # seconds either side of now, as Slack documents
MAX_LOGGED_CHARS = 200


class RequestGate:
    """Decides, from raw bytes and headers only, whether a POST may reach Bolt."""

    def __init__(
        self,
        signing_secret: str,
        replay_ttl: float,
        clock: Callable[[], float] = time.time,
        seen: Dedup | None = None,
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._clock = clock
        # A signature is valid from ts-300 to ts+300 s, so remember it at least 600 s; `seen`
        # shared through Redis makes a replay to another replica a replay too.
        self._seen = seen or EventDedup(max(replay_ttl, 2 * SIGNATURE_WINDOW))

    def refusal(self, body: bytes, timestamp: str | None, signature: str | None) -> str | None:
        """Why the request is not Slack's (None: it is); never raises, whatever the input."""
        if not timestamp or not signature:
            return "unsigned"
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return "bad timestamp"
        if abs(self._clock() - int(timestamp)) > SIGNATURE_WINDOW:
            return "stale timestamp"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return "body is not UTF-8"
        expected = self._verifier.generate_signature(timestamp=timestamp, body=text) or ""
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return "bad signature"
        return None

    def first_time(self, signature: str) -> bool:
        """False for a request whose signed body was already accepted within the window."""
        return self._seen.first_time("sig:" + hashlib.sha256(signature.encode()).hexdigest())


def build_web_app(app: AsyncApp, cfg: SlackConfig, signing_secret: str, seen: Dedup | None = None) -> web.Application:
    """An aiohttp app serving Bolt at `cfg.path` (and the OAuth pages when installed that way);
    `seen` remembers accepted requests (default: in this process)."""
    gate = RequestGate(signing_secret, cfg.dedup_ttl_seconds, seen=seen)
    limit = cfg.max_body_bytes
    web_app = web.Application(client_max_size=limit)

    async def on_post(request: web.Request) -> web.StreamResponse:
        who = request.remote or "?"
        if request.content_length is not None and request.content_length > limit:
            log.warning(
                "Slack HTTP: refused a %d-byte request from %s (over %d bytes)", request.content_length, who, limit
            )
            return web.Response(status=413, text="request body too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("Slack HTTP: refused a request from %s (body over %d bytes)", who, limit)
            return web.Response(status=413, text="request body too large")
        signature = request.headers.get("X-Slack-Signature")
        reason = gate.refusal(body, request.headers.get("X-Slack-Request-Timestamp"), signature)
        if reason is not None:
            log.warning("Slack HTTP: refused a request from %s (%s, %d bytes)", who, reason, len(body))
            return web.Response(status=401, text="invalid request")
        assert signature is not None
        if not await asyncio.to_thread(gate.first_time, signature):  # Redis when shared: off the loop
            log.warning("Slack HTTP: ignored a replayed request from %s", who)
            return web.Response(status=200, text="")
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]  # a multidict, as Bolt's aiohttp adapter passes
            )
        except Exception as err:  # signed but unreadable: Slack never sends this
            log.warning("Slack HTTP: signed request from %s could not be read (%s)", who, type(err).__name__)
            return web.Response(status=400, text="unreadable request")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app.router.add_post(cfg.path, on_post)
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def redirect(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, redirect)
    return web_app


class ShortRecords(logging.Filter):
    """Caps a record at MAX_LOGGED_CHARS: Bolt would otherwise log whole request bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_LOGGED_CHARS:
            record.msg, record.args = message[:MAX_LOGGED_CHARS] + "… (cut)", None
        return True

"""A sender of HTTP-mode requests, signed `v0=HMAC-SHA256(secret, "v0:{ts}:{body}")` like Slack's.

Tests pass a wrong secret, an old timestamp or their own signature to check the bot refuses them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

import aiohttp

from .base import SIGNING_SECRET


class HttpModeMixin:
    """Needs no state of the fake: it plays Slack calling the bot's HTTP endpoint."""

    @staticmethod
    def sign(secret: str, timestamp: str, body: str) -> str:
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return f"v0={digest}"

    async def post_signed(
        self,
        url: str,
        body: str,
        content_type: str,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        """POST like Slack does in HTTP mode; returns (status, body, seconds to answer)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self.sign(secret, ts, body),
            **(headers or {}),
        }
        started = time.monotonic()
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body.encode(), headers=all_headers) as resp,
        ):
            return resp.status, await resp.text(), time.monotonic() - started

    async def post_event(
        self, url: str, body: dict[str, Any], *, retry_num: int | None = None, **kw: Any
    ) -> tuple[int, str, float]:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return await self.post_signed(url, json.dumps(body), "application/json", headers=headers, **kw)

    async def post_command(self, url: str, payload: dict[str, str], **kw: Any) -> tuple[int, str, float]:
        return await self.post_signed(url, urllib.parse.urlencode(payload), "application/x-www-form-urlencoded", **kw)

    async def post_interaction(self, url: str, payload: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post_signed(url, body, "application/x-www-form-urlencoded", **kw)

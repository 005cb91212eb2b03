"""Build the Bolt `AsyncApp`: its Web API client, its authorization, and its listeners.

The client points at `slack.api_base_url` (Slack, GovSlack, or a test server) and retries
429s after `Retry-After`; every per-request client Bolt derives from it inherits both.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import command, conversations, feedback, passages
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.http_server import ShortRecords
from bot.config import Settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.ops.wiring import OpsKit

log = logging.getLogger(__name__)
RATE_LIMIT_RETRIES = 3


def build_web_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """A Web API client for the configured endpoint that waits out 429s and blips."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack.api_base_url,
        logger=log.getChild("web"),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def build_app(
    parts: App,
    *,
    bot_token: str | None,
    signing_secret: str = "",
    oauth_settings: AsyncOAuthSettings | None = None,
    ops: OpsKit | None = None,
) -> tuple[AsyncApp, SlackDeps]:
    """The Bolt app with our listeners; with `oauth_settings`, tokens come from installations.

    `signing_secret` is empty in Socket Mode (the websocket is authenticated by the app token);
    in HTTP mode the server (`http_server`) checks each request with it before Bolt parses it,
    and Bolt checks again. With `ops`,
    answers carry feedback buttons and refusals and errors are counted.
    """
    settings = parts.settings
    bolt_log = log.getChild("bolt")
    if not any(isinstance(f, ShortRecords) for f in bolt_log.filters):
        bolt_log.addFilter(ShortRecords())  # Bolt logs refused request bodies whole
    app = AsyncApp(
        name="callbot",
        logger=bolt_log,
        client=build_web_client(settings, None if oauth_settings else bot_token),
        signing_secret=signing_secret,
        oauth_settings=oauth_settings,
        process_before_response=False,
        request_verification_enabled=True,
    )
    deps = register_listeners(app, parts, ops)
    return app, deps


def register_listeners(app: AsyncApp, parts: App, ops: OpsKit | None = None) -> SlackDeps:
    """Every listener the adapter has, in one place."""
    deps = SlackDeps.create(parts, ops)
    conversations.register(app, deps)
    command.register(app, deps)
    feedback.register(app, deps)
    passages.register(app, deps)
    return deps

"""Start the Slack adapter: check the tokens, then Socket Mode or the HTTP server until stopped.

Tokens are read from the environment variables the config names and checked with Slack
before the index is loaded, so a missing or wrong token is one clear line and exit code 2.
`/healthz` and `/metrics` get their own port in Socket Mode (up first, 503 until connected)
and share the app's server in HTTP mode. SIGTERM/SIGINT stop new questions, let answers in flight finish (bounded), then
close the connection, and `run` returns 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.app import build_app, build_web_client
from bot.adapters.slack.dedup import event_dedup
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.http_server import SIGNATURE_WINDOW, build_web_app
from bot.adapters.slack.oauth import oauth_settings
from bot.adapters.slack.readiness import socket_connected
from bot.config import SlackConfig, secret
from bot.errors import CallbotError, ConfigError
from bot.ops.shutdown import DEFAULT_GRACE_SECONDS, install_signal_handlers
from bot.ops.wiring import OpsKit

if TYPE_CHECKING:
    from bot.app import App
    from bot.ops.health import HealthServer

log = logging.getLogger(__name__)
EXIT_CONFIG = 2
EXIT_ERROR = EXIT_UNREACHABLE = 1


class SlackStartupError(ConfigError):
    """A token or setting that stops the Slack adapter from starting; one line for the operator."""


class SlackUnreachableError(CallbotError):
    """The Slack API could not be reached at start (network, DNS, wrong api_base_url)."""


@dataclass(frozen=True)
class SlackSecrets:
    bot_token: str | None
    app_token: str | None
    signing_secret: str | None
    client_id: str | None
    client_secret: str | None

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)


def read_secrets(cfg: SlackConfig) -> SlackSecrets:
    """The secrets the configured mode needs, or SlackStartupError naming the missing one."""
    s = SlackSecrets(
        secret(cfg.bot_token_env),
        secret(cfg.app_token_env),
        secret(cfg.signing_secret_env),
        secret(cfg.client_id_env),
        secret(cfg.client_secret_env),
    )
    if cfg.mode == "socket":
        if not s.bot_token:
            raise SlackStartupError(f"{cfg.bot_token_env} is not set: Socket Mode needs the app's bot token (xoxb-…).")
        if not s.app_token:
            raise SlackStartupError(
                f"{cfg.app_token_env} is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope."
            )
        if not s.app_token.startswith("xapp-"):
            raise SlackStartupError(f"{cfg.app_token_env} is not an app-level token: it should start with xapp-.")
    else:
        if not s.signing_secret:
            raise SlackStartupError(
                f"{cfg.signing_secret_env} is not set: HTTP mode needs the app's signing secret to verify requests."
            )
        if bool(s.client_id) != bool(s.client_secret):
            raise SlackStartupError(f"set both {cfg.client_id_env} and {cfg.client_secret_env} for OAuth, or neither.")
        if not s.oauth and not s.bot_token:
            raise SlackStartupError(
                f"{cfg.bot_token_env} is not set: HTTP mode needs the bot token, or {cfg.client_id_env} and "
                f"{cfg.client_secret_env} for multi-workspace installs."
            )
    oauth_env = os.environ.get("SLACK_CLIENT_ID") and os.environ.get("SLACK_CLIENT_SECRET")
    if not (cfg.mode == "http" and s.oauth) and oauth_env:
        raise SlackStartupError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, which switches slack-bolt to multi-workspace OAuth; "
            "that needs slack.mode: http (or unset them)."
        )
    return s


class SlackService:
    """The running adapter: the Bolt app plus its Socket Mode connection or HTTP server.

    `parts` is the composition root's `App` (core, settings, knowledge operations). With
    `ops` (`parts.ops`, as `serve` passes it) it also serves `/healthz` and `/metrics` and
    puts feedback buttons on answers; without, it is the bare adapter (for harnesses that
    drive it directly).
    """

    def __init__(self, parts: App, secrets: SlackSecrets, ops: OpsKit | None = None) -> None:
        self.parts = parts
        self.core = parts.core
        self.settings = parts.settings
        self.secrets = secrets
        self.ops = ops
        self.app: AsyncApp | None = None
        self.deps: SlackDeps | None = None
        self.port: int | None = None  # HTTP mode: where Slack's requests go
        self.health_port: int | None = None  # where /healthz answers (None: not served)
        self._handler: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._health: HealthServer | None = None
        self._listening = False

    @property
    def cfg(self) -> SlackConfig:
        return self.settings.slack

    async def start(self) -> None:
        """Check tokens with Slack, load the index if needed, then connect (Socket Mode) or
        listen (HTTP). Socket Mode's /healthz comes up first and says 503 until connected."""
        http = self.cfg.mode == "http"
        if not http and self.ops is not None:
            self._health = await self.ops.start_health(self.ready)
            self.health_port = self._health.port if self._health else None
        oauth = (
            oauth_settings(self.settings, self.secrets.client_id or "", self.secrets.client_secret or "")
            if http and self.secrets.oauth
            else None
        )
        if oauth is None:
            await self._check_bot_token()
        if not self.core.started:  # after the token check: a typo fails before this wait
            await asyncio.to_thread(self.parts.start, None, True)  # a stale index serves; rebuilt beside it
        self.app, self.deps = build_app(
            self.parts,
            bot_token=self.secrets.bot_token,
            signing_secret=(self.secrets.signing_secret or "") if http else "",
            oauth_settings=oauth,
            ops=self.ops,
        )
        await (self._listen() if http else self._connect())

    def ready(self) -> bool:
        """For /healthz: the Socket Mode connection is up, or the HTTP server listens, and
        shutdown has not begun (a proxy stops routing here while answers drain)."""
        if self.deps is not None and not self.deps.in_flight.accepting:
            return False
        if self._handler is not None:
            return socket_connected(self._handler.client)
        return self._listening

    async def _check_bot_token(self) -> None:
        client = build_web_client(self.settings, self.secrets.bot_token)
        try:
            who = await client.auth_test()
        except SlackApiError as err:
            raise SlackStartupError(
                f"Slack refused {self.cfg.bot_token_env} ({err.response.get('error', 'error')}): check the bot token."
            ) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise SlackUnreachableError(f"cannot reach the Slack API at {self.cfg.api_base_url} ({err}).") from None
        log.info("Slack: bot user %s in team %s", who.get("user_id"), who.get("team_id"))

    async def _connect(self) -> None:
        assert self.app is not None
        try:
            opened = await self.app.client.apps_connections_open(app_token=self.secrets.app_token or "")
        except SlackApiError as err:
            raise SlackStartupError(
                f"Slack refused {self.cfg.app_token_env} ({err.response.get('error', 'error')}): it must be an "
                "app-level token with connections:write, and Socket Mode must be on for the app."
            ) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise SlackUnreachableError(f"cannot reach the Slack API at {self.cfg.api_base_url} ({err}).") from None
        handler = AsyncSocketModeHandler(self.app, self.secrets.app_token, logger=log.getChild("socket"))
        handler.client.wss_uri = opened["url"]  # use the URL we just opened rather than asking again
        self._handler = handler
        await handler.connect_async()
        log.info("Slack: connected in Socket Mode")

    async def _listen(self) -> None:
        assert self.app is not None
        replay_ttl = max(self.cfg.dedup_ttl_seconds, 2 * SIGNATURE_WINDOW)  # shared when Redis is configured
        web_app = build_web_app(
            self.app, self.cfg, self.secrets.signing_secret or "", seen=event_dedup(self.settings, replay_ttl)
        )
        if self.ops is not None:
            self.ops.add_health_routes(web_app, self.ready)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.cfg.host, self.cfg.port)
        try:
            await site.start()
        except OSError as err:
            await self._runner.cleanup()
            raise SlackStartupError(f"cannot listen on {self.cfg.host}:{self.cfg.port} ({err.strerror}).") from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._listening = True
        if self.ops is not None and self.settings.metrics.enabled:
            self.health_port = self.port
        oauth = " (OAuth install at /slack/install)" if self.app.oauth_flow else ""
        log.info("Slack: HTTP mode on %s:%s%s%s", self.cfg.host, self.port, self.cfg.path, oauth)

    async def stop(self) -> None:
        """Close the connection or server, then the health server; safe to call twice."""
        self._listening = False
        if self._handler is not None:
            with contextlib.suppress(Exception):
                await self._handler.close_async()
            self._handler = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._health is not None:
            await self._health.stop()
            self._health = None


async def serve(
    parts: App,
    *,
    on_started: Callable[[SlackService], None] | None = None,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
) -> None:
    """Run the Slack adapter until SIGTERM/SIGINT (answers in flight finish first) or cancelled;
    loads the index when the core has not started yet.

    `on_started(service)` runs once it is connected or listening; `service.health_port` is
    then where /healthz and /metrics answer (the bound port when `metrics.port` is 0).
    Raises CallbotError when it cannot start.
    """
    core = parts.core
    secrets = read_secrets(parts.settings.slack)
    ops = await asyncio.to_thread(lambda: parts.ops)  # opens the feedback database
    service = SlackService(parts, secrets, ops)
    shutdown = install_signal_handlers(
        asyncio.get_running_loop(), service.stop, in_flight=ops.in_flight, grace_seconds=grace_seconds
    )
    try:
        await service.start()
        core.start_watcher()  # pick up index versions promoted by `callbot index ...` meanwhile
        if on_started is not None:
            on_started(service)
        await shutdown.wait()
    finally:
        shutdown.remove()
        await service.stop()
        core.stop_watcher()


def run(parts: App) -> int:
    """`callbot run slack`: 0 when stopped, 2 for missing or refused tokens, 1 for other errors."""
    try:
        read_secrets(parts.settings.slack)  # fail before anything else
        asyncio.run(serve(parts))
    except SlackUnreachableError as err:
        print(f"callbot: {err}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except ConfigError as err:
        print(f"callbot: {err}", file=sys.stderr)
        return EXIT_CONFIG
    except CallbotError as err:
        print(f"callbot: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 0
    return 0

"""`callbot run discord`: wire the client to the core, sync commands, connect, and stop cleanly.

Start-up failures people can fix (no token, a token Discord rejects, a refused privileged
intent, Discord unreachable, a health port in use) end with one line on stderr and an exit
code, not a traceback. While it runs, `/healthz` and `/metrics` are served (`metrics.*`),
and SIGTERM/SIGINT stop it gracefully: no new questions, answers in flight finish (bounded
wait), then the gateway connection is closed and `run` returns 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands

from bot.adapters.asking import Asking
from bot.adapters.discord import PLATFORM
from bot.adapters.discord.admin import register_admin_commands
from bot.adapters.discord.client import build_client, configure_endpoints
from bot.adapters.discord.commands import install_error_handler, register_commands
from bot.adapters.discord.connection import Connection
from bot.adapters.discord.conversations import attach_conversations
from bot.adapters.discord.feedback import attach_feedback
from bot.adapters.discord.sources import attach_sources
from bot.config import DiscordConfig, secret
from bot.errors import ConfigError
from bot.knowledge.operations import KnowledgeOps
from bot.ops.health import HealthServer
from bot.ops.shutdown import GracefulShutdown, install_signal_handlers
from bot.ops.wiring import OpsKit

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
EXIT_OK, EXIT_ERROR, EXIT_CONFIG = 0, 1, 2


@dataclass
class DiscordApp:
    """Everything `serve` runs: the client, its command tree, the ops kit, the knowledge
    operations the admin commands run, the readiness.

    `health` and `shutdown` are set by `serve` while it runs (the bound health port is
    `app.health.port`, useful with `metrics.port: 0`; `app.shutdown.trigger()` is what
    SIGTERM does).
    """

    client: discord.Client
    tree: app_commands.CommandTree
    ops: OpsKit
    knowledge: KnowledgeOps
    connection: Connection
    health: HealthServer | None = None
    shutdown: GracefulShutdown | None = None

    @property
    def ready(self) -> asyncio.Event:
        """Set at the first READY from the gateway."""
        return self.connection.ready


def build_app(parts: App, *, guild_ready_timeout: float = 2.0) -> DiscordApp:
    """Explicit wiring: endpoints, client, commands, handlers, feedback. No network yet.

    The ops kit and the knowledge operations are the ones `parts` (the composition root's
    `App`) holds, so adapters sharing one core share them (one ops kit per core: a second
    would count every answer twice).
    """
    core, cfg, ops, knowledge = parts.core, parts.settings.discord, parts.ops, parts.knowledge
    configure_endpoints(cfg)
    client = build_client(cfg, guild_ready_timeout=guild_ready_timeout)
    tree = app_commands.CommandTree(client)
    asking = Asking(core, ops, PLATFORM)
    attach_feedback(client, ops.feedback)
    attach_sources(client, asking)
    register_commands(tree, core, asking, cfg)
    register_admin_commands(tree, core, knowledge, cfg, ops.feedback)
    install_error_handler(tree)
    attach_conversations(client, asking, cfg)
    connection = Connection(ops.in_flight)

    def on_ready() -> None:
        user = client.user
        log.info(
            "connected to Discord as %s (id %s) in %d server(s); serving index version %s",
            user,
            user.id if user else "?",
            len(client.guilds),
            core.index_version,
        )

    connection.attach(client, on_ready)
    return DiscordApp(client, tree, ops, knowledge, connection)


async def sync_commands(tree: app_commands.CommandTree, cfg: DiscordConfig) -> None:
    """Register the commands with Discord: per configured guild (instant) or globally."""
    if not cfg.guild_ids:
        synced = await tree.sync()
        log.info("synced %d slash commands globally (Discord can take a while to show changes)", len(synced))
        return
    for guild_id in cfg.guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        try:
            synced = await tree.sync(guild=guild)
        except discord.Forbidden:
            log.warning(
                "cannot register slash commands in server %s (403): is the bot in that server, "
                "invited with the applications.commands scope? (see `callbot discord invite-url`)",
                guild_id,
            )
            continue
        log.info("synced %d slash commands to server %s", len(synced), guild_id)


async def serve_app(app: DiscordApp, token: str, *, sync: bool, cfg: DiscordConfig) -> None:
    """Log in, sync if asked, then stay connected until cancelled; always closes the client."""
    async with app.client:
        await app.client.login(token)
        if sync:
            await sync_commands(app.tree, cfg)
        await app.client.connect(reconnect=True)


def read_token(cfg: DiscordConfig) -> str:
    """The bot token from the environment variable the config names, or a ConfigError."""
    token = secret(cfg.token_env)
    if token is None:
        raise ConfigError(
            f"no Discord bot token: set the {cfg.token_env} environment variable "
            "(Developer Portal > your application > Bot > Reset Token)."
        )
    if any(ch.isspace() for ch in token) or not token.isascii():
        raise ConfigError(f"{cfg.token_env} does not look like a Discord bot token (spaces or non-ASCII characters).")
    return token


async def serve(parts: App, *, sync: bool | None = None) -> None:
    """Run the Discord adapter until SIGTERM/SIGINT (graceful) or cancellation; raises on
    start-up failures (see `run`). Signal handlers are removed and the health server
    stopped on the way out."""
    core, cfg = parts.core, parts.settings.discord
    token = read_token(cfg)
    if not core.started:
        await asyncio.to_thread(parts.start, None, True)  # a stale index serves; rebuilt beside it
    await asyncio.to_thread(lambda: parts.ops)  # opens the feedback database, off the event loop
    app = build_app(parts)
    core.start_watcher()  # pick up index versions promoted by `callbot index ...` meanwhile
    shutdown = app.shutdown = install_signal_handlers(
        asyncio.get_running_loop(), app.client.close, in_flight=app.ops.in_flight
    )
    try:
        app.health = await app.ops.start_health(app.connection)  # 503 until the gateway is ready
        await serve_app(app, token, sync=cfg.sync_commands if sync is None else sync, cfg=cfg)
    except Exception:
        if not shutdown.requested:
            raise
        log.info("stopped while starting up")  # a signal during login or sync: not a failure
    finally:
        if shutdown.requested:
            await shutdown.wait()
        shutdown.remove()
        if app.health is not None:
            await app.health.stop()
        core.stop_watcher()
    log.info("Discord adapter stopped")


def _failure(err: BaseException, cfg: DiscordConfig) -> tuple[int, str]:
    """The exit code and the one line for a start-up failure."""
    if isinstance(err, ConfigError):
        return EXIT_CONFIG, str(err)
    if isinstance(err, discord.LoginFailure) or (isinstance(err, discord.ConnectionClosed) and err.code == 4004):
        return EXIT_CONFIG, (
            f"Discord rejected the bot token in {cfg.token_env} (401 Unauthorized): copy a fresh "
            "token from the Developer Portal (Bot > Reset Token)."
        )
    if isinstance(err, discord.PrivilegedIntentsRequired):
        return EXIT_CONFIG, (
            "Discord refused the Message Content intent that auto-answer channels need: enable it "
            "in the Developer Portal (Bot > Privileged Gateway Intents) or empty "
            "discord.auto_answer_channel_ids."
        )
    if isinstance(err, discord.ConnectionClosed):
        reason = err.reason or "no reason given"
        return EXIT_ERROR, f"Discord closed the gateway connection (code {err.code}): {reason}."
    if isinstance(err, discord.HTTPException):
        return EXIT_ERROR, f"Discord answered {err.status} during start-up: {err.text or err}."
    if isinstance(err, (discord.GatewayNotFound, aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return EXIT_ERROR, f"cannot reach Discord at {cfg.api_base_url} ({type(err).__name__}: {err})."
    raise err


def run(parts: App, *, sync: bool | None = None) -> int:
    """Blocking entry point for `callbot run discord [--sync]`; returns the exit code."""

    async def main() -> None:
        # Until `serve` has loaded the index and installs its graceful handlers, SIGTERM
        # simply cancels the start-up (there is nothing in flight yet).
        task = asyncio.current_task()
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)  # type: ignore[union-attr]
        except (NotImplementedError, RuntimeError, ValueError):  # not on this platform / not the main thread
            pass
        await serve(parts, sync=sync)

    try:
        asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):  # a signal during start-up
        log.info("Discord adapter stopped")
        return EXIT_OK
    except Exception as err:  # start-up failures a person can fix: one line, no traceback
        code, line = _failure(err, parts.settings.discord)
        print(f"callbot: {line}", file=sys.stderr)
        return code
    return EXIT_OK

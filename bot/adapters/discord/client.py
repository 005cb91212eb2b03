"""Building the discord.py client: endpoints, intents, shard mode. No network here."""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.adapters.discord import PLATFORM
from bot.config import DiscordConfig
from bot.errors import ConfigError
from bot.types import Actor

log = logging.getLogger(__name__)

# Nothing the bot sends may ping anyone: set on the client and on every send.
NO_MENTIONS = discord.AllowedMentions.none()


def actor_for(user: discord.abc.User) -> Actor:
    """The neutral Actor for a Discord user (id for limits and audit, name for logs)."""
    return Actor(PLATFORM, str(user.id), user.name)


def configure_endpoints(cfg: DiscordConfig) -> None:
    """Point discord.py at `discord.api_base_url` and `discord.gateway_url`.

    discord.py keeps these as class attributes (`Route.BASE`,
    `DiscordWebSocket.DEFAULT_GATEWAY`), so this is process-wide: every client in the
    process talks to the same Discord. One bot per process is the design; tests restore
    both attributes afterwards.
    """
    discord.http.Route.BASE = cfg.api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(cfg.gateway_url)


def build_intents(cfg: DiscordConfig) -> discord.Intents:
    """The least the bot needs; Message Content only when auto-answer channels exist.

    Mentions and DMs carry their content without the privileged intent, so a bot that only
    answers those never needs it.
    """
    intents = discord.Intents.none()
    intents.guilds = True  # channels, threads, roles: to know where a message was posted
    intents.guild_messages = True
    intents.dm_messages = True
    if cfg.auto_answer_channel_ids:
        intents.message_content = True
        log.info(
            "asking Discord for the privileged Message Content intent, because %d auto-answer "
            "channel(s) are configured (discord.auto_answer_channel_ids); enable it in the "
            "Developer Portal under Bot > Privileged Gateway Intents",
            len(cfg.auto_answer_channel_ids),
        )
    else:
        log.info("not asking for the Message Content intent: answering mentions, DMs and slash commands")
    return intents


def build_client(cfg: DiscordConfig, *, guild_ready_timeout: float = 2.0) -> discord.Client:
    """A Client, or an AutoShardedClient when `discord.shard_count` is set ('auto' or a number)."""
    options: dict[str, Any] = dict(
        intents=build_intents(cfg),
        allowed_mentions=NO_MENTIONS,
        guild_ready_timeout=guild_ready_timeout,
        chunk_guilds_at_startup=False,
        max_messages=None,  # the bot never looks back at old messages
        activity=discord.CustomActivity(name="Ask me about the Paris Call · /help"),
    )
    if cfg.shard_count is None:
        if cfg.shard_ids is not None:
            raise ConfigError("discord.shard_ids needs discord.shard_count (the total number of shards).")
        return discord.Client(**options)
    shard_count = None if cfg.shard_count == "auto" else cfg.shard_count
    if shard_count is not None and shard_count < 1:
        raise ConfigError("discord.shard_count must be 'auto' or a number of shards from 1 up.")
    if cfg.shard_ids is not None:  # this process takes a range; others take the rest
        if shard_count is None:
            raise ConfigError("discord.shard_ids needs a number for discord.shard_count, not 'auto'.")
        bad = [i for i in cfg.shard_ids if not 0 <= i < shard_count]
        if bad or not cfg.shard_ids or len(set(cfg.shard_ids)) != len(cfg.shard_ids):
            raise ConfigError(
                f"discord.shard_ids must be distinct shard numbers from 0 to {shard_count - 1} (got {cfg.shard_ids})."
            )
        log.info("sharding: shards %s of %d in this process", cfg.shard_ids, shard_count)
        return discord.AutoShardedClient(shard_count=shard_count, shard_ids=list(cfg.shard_ids), **options)
    log.info("sharding: %s", "as many shards as Discord recommends" if shard_count is None else f"{shard_count} shards")
    return discord.AutoShardedClient(shard_count=shard_count, **options)

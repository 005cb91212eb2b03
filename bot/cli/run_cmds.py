"""`callbot run [console|discord|slack]` and `callbot chat`."""

from __future__ import annotations

import sys

import click

from bot.cli.context import AppContext, pass_app
from bot.config import secret

PLATFORMS = ("console", "discord", "slack")


def pick_platform(settings) -> str:
    """With no platform named: Discord if its token is set, then Slack, else the console."""
    if secret(settings.discord.token_env):
        return "discord"
    if secret(settings.slack.bot_token_env):
        return "slack"
    return "console"


def _run_console(app: AppContext) -> int:
    from bot.adapters.console import ConsoleAdapter

    return ConsoleAdapter(app.app(log_level="WARNING", background=True)).run()


@click.command()
@click.argument("platform", type=click.Choice(PLATFORMS), required=False)
@click.option("--sync/--no-sync", default=None, help="Discord: sync slash commands at start (default: config).")
@pass_app
def run(app: AppContext, platform: str | None, sync: bool | None) -> None:
    """Run the bot. With no PLATFORM: Discord or Slack when their tokens are set, else the console."""
    platform = platform or pick_platform(app.settings)
    if platform == "console":
        sys.exit(_run_console(app))
    if platform == "discord":
        from bot.adapters.discord.run import run as run_discord

        # the adapter checks its token first, then loads the index (no wait for a typo)
        sys.exit(run_discord(app.app(start=False, log_level=None), sync=sync))
    from bot.adapters.slack.run import run as run_slack

    sys.exit(run_slack(app.app(start=False, log_level=None)))


@click.command()
@pass_app
def chat(app: AppContext) -> None:
    """The console adapter: an interactive prompt (answers each stdin line when piped)."""
    sys.exit(_run_console(app))


@click.group()
def discord() -> None:
    """Discord helpers."""


@discord.command("invite-url")
@click.argument("application_id", type=int)
def invite_url(application_id: int) -> None:
    """Print the URL that adds the bot (APPLICATION_ID from the Developer Portal) to a server."""
    from bot.adapters.discord.invite import invite_url as make_url

    click.echo(make_url(application_id))


def register(group: click.Group) -> None:
    group.add_command(run)
    group.add_command(chat)
    group.add_command(discord)

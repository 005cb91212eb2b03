"""Slash commands for everyone: /ask, /principles, /principle (autocompleted), /sources, /help.

Each handler acknowledges at once (a private refusal, or a defer) and answers by follow-up,
well inside Discord's 3-second limit; searching runs off the event loop in the core.

No `from __future__ import annotations` here: discord.py reads the parameter annotations
(ranges built from the settings) when the commands are defined.
"""

import logging

import discord
from discord import app_commands

from bot import i18n
from bot.adapters.asking import Asking, Refusal
from bot.adapters.discord import delivery, history, listings, render
from bot.adapters.discord.admin import is_admin
from bot.adapters.discord.client import actor_for
from bot.adapters.discord.feedback import with_buttons
from bot.adapters.discord.limits import CHOICE_NAME_LIMIT, CHOICES_LIMIT, clip
from bot.adapters.discord.sources import answer_view
from bot.config import DiscordConfig
from bot.core import BotCore
from bot.types import Principle

log = logging.getLogger(__name__)
STRING_OPTION_LIMIT = 6000  # Discord's maximum max_length for a string option


def principle_choices(principles: tuple[Principle, ...], current: object) -> list[app_commands.Choice[int]]:
    """Autocomplete: principles whose number or short title matches what was typed."""
    typed = str(current or "").strip().lower()
    matches = [p for p in principles if not typed or str(p.number).startswith(typed) or typed in p.title.lower()]
    return [
        app_commands.Choice(name=clip(f"{p.number}. {p.title}", CHOICE_NAME_LIMIT), value=p.number)
        for p in matches[:CHOICES_LIMIT]
    ]


def register_commands(tree: app_commands.CommandTree, core: BotCore, asking: Asking, cfg: DiscordConfig) -> None:
    """Add the public commands to `tree` (global; run.py copies them to guilds when syncing)."""
    max_chars = min(core.settings.limits.max_question_chars, STRING_OPTION_LIMIT)
    count = len(core.principles())

    @tree.command(name="ask", description="Ask a question about the Paris Call; the answer cites its sources")
    @app_commands.describe(question="Your question", private="Only you see the answer (default: everyone)")
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, max_chars], private: bool = False
    ) -> None:
        actor = actor_for(interaction.user)
        refusal = asking.check(question, actor)
        if refusal is not None:
            await delivery.respond_privately(interaction, refusal.text)
            return
        with asking.in_flight:  # an error is counted by `asking` and told by `on_error` below
            await interaction.response.defer(ephemeral=private, thinking=True)
            turns = await history.slash_context(interaction, core.settings.conversation)
            result = await asking.serve(question, actor, turns)
            if isinstance(result, Refusal):
                messages = render.notice_messages(result.text)
            else:
                chosen = i18n.locale_language(interaction.locale)  # a French user's locale: French words
                answer = i18n.answer_in(result.answer, chosen) if chosen else result.answer
                view = answer_view(answer, result.feedback_id)
                messages = with_buttons(render.answer_messages(answer, echo_question=True), view)
            await delivery.followup(interaction, messages, ephemeral=private)

    @tree.command(name="principles", description="The nine principles of the Paris Call")
    async def principles(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await delivery.followup(interaction, render.principles_messages(core.principles()), ephemeral=False)

    @tree.command(name="principle", description="One principle: its full wording and the passages that discuss it")
    @app_commands.describe(number=f"The principle's number, 1 to {count}")
    async def principle(interaction: discord.Interaction, number: app_commands.Range[int, 1, count]) -> None:
        missing = asking.no_such_principle(number)  # private, before the public "thinking…"
        if missing is not None:
            await delivery.respond_privately(interaction, missing.text)
            return
        await interaction.response.defer(thinking=True)
        shown = await asking.principle(number, actor_for(interaction.user))
        if isinstance(shown, Refusal):
            messages = render.notice_messages(shown.text)
        else:
            messages = render.principle_messages(shown.principle, shown.answer)
        await delivery.followup(interaction, messages, ephemeral=False)

    @principle.autocomplete("number")
    async def principle_number(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        return principle_choices(core.principles(), current)

    @tree.command(name="sources", description="The documents I answer from, with publisher and date")
    async def sources(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await delivery.followup(
            interaction, listings.sources_messages(core.sources(), core.index_version), ephemeral=False
        )

    @tree.command(name="help", description="What I can do and how to ask")
    async def help_(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        admin = is_admin(interaction.user, cfg)
        await delivery.followup(interaction, listings.help_messages(core.index_version, admin=admin), ephemeral=True)


def install_error_handler(tree: app_commands.CommandTree) -> None:
    """An unexpected error in a command: logged with its traceback, and the user told in one
    sentence without details (privately, unless the command had already deferred publicly:
    Discord then shows the first follow-up in place of the public "thinking" message)."""

    @tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.name if interaction.command else "?"
        original = getattr(error, "original", error)
        log.error("/%s failed for user %s: %s", name, interaction.user.id, original, exc_info=original)
        await delivery.respond_privately(interaction, delivery.SORRY)

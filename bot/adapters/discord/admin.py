"""Admin slash commands: /reindex, /add-document, /remove-document, /rollback, /gaps.

Two locks on the door. Discord hides the commands from members without Manage Server
(default member permissions), but server admins can change that, so each call is checked
again here against `discord.admin_user_ids` and `discord.admin_role_ids`. A refused call gets
a private reply, changes nothing, and is logged and recorded in the audit log.

The knowledge operations block for seconds (embedding, building), and /gaps reads SQLite
and embeds the questions it groups: they run in a thread so the gateway heartbeat and other
users' questions are never held up.
"""

import asyncio
import logging
from collections.abc import Callable
from pathlib import PurePath

import discord
from discord import app_commands

from bot.adapters.asking import audit_refusal
from bot.adapters.discord import delivery, listings, render
from bot.adapters.discord.client import actor_for
from bot.adapters.discord.limits import CHOICE_NAME_LIMIT, CHOICES_LIMIT, clip
from bot.config import DiscordConfig
from bot.core import BotCore
from bot.errors import CallbotError
from bot.index.sources import DOCUMENT_SUFFIXES
from bot.knowledge.operations import KnowledgeOps
from bot.ops.feedback import FeedbackStore, FeedbackUnavailableError
from bot.types import Actor

log = logging.getLogger(__name__)
REFUSAL = "Only the bot's admins can use this command; nothing was changed."
# The audit log names operations as the core and the CLI do.
AUDIT_ACTIONS = {
    "reindex": "build",
    "add-document": "add",
    "remove-document": "remove",
    "rollback": "rollback",
    "gaps": "gaps",
}
GAPS_SHOWN = 10  # /gaps' default number of groups; at most GAPS_MAX
GAPS_MAX = 25


def is_admin(user: discord.abc.User, cfg: DiscordConfig) -> bool:
    """An admin by user id, or by one of their roles in this server."""
    if user.id in cfg.admin_user_ids:
        return True
    roles = getattr(user, "roles", None) or []  # a Member in a server; a plain User in DMs
    return any(role.id in cfg.admin_role_ids for role in roles)


def attachment_problem(attachment: discord.Attachment, max_bytes: int) -> str | None:
    """Why an attachment cannot be a document, checked before downloading it."""
    suffix = PurePath(attachment.filename).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        kinds = ", ".join(DOCUMENT_SUFFIXES)
        return f"I can add {kinds} files; {render.safe(attachment.filename)} is none of these. Nothing was changed."
    if attachment.size > max_bytes:
        return (
            f"{render.safe(attachment.filename)} is {attachment.size:,} bytes; documents may be at most "
            f"{max_bytes:,} bytes. Nothing was changed."
        )
    return None


class AdminCommands:
    """Runs knowledge operations for admins and refuses everyone else."""

    def __init__(self, core: BotCore, knowledge: KnowledgeOps, cfg: DiscordConfig, feedback: FeedbackStore) -> None:
        self.core = core
        self.knowledge = knowledge
        self.cfg = cfg
        self.feedback = feedback

    async def allowed(self, interaction: discord.Interaction, command: str) -> bool:
        """True for an admin; otherwise reply privately, log and audit the attempt."""
        if is_admin(interaction.user, self.cfg):
            return True
        await delivery.respond_privately(interaction, REFUSAL)
        log.warning(
            "refused /%s from user %s (%s) in %s: not in discord.admin_user_ids or admin_role_ids",
            command,
            interaction.user.id,
            interaction.user.name,
            delivery.where(interaction.channel),
        )
        await self._audit_refusal(interaction, command, "not a Discord admin")
        return False

    async def _audit_refusal(
        self, interaction: discord.Interaction, command: str, reason: str, target: str = ""
    ) -> None:
        await audit_refusal(self.knowledge, actor_for(interaction.user), AUDIT_ACTIONS[command], reason, target)

    async def run(self, interaction: discord.Interaction, action: str, operation: Callable[[Actor], object]) -> None:
        """Defer privately, then run the blocking operation and report its sentence."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._finish(interaction, action, operation)

    async def _finish(
        self, interaction: discord.Interaction, action: str, operation: Callable[[Actor], object]
    ) -> None:
        """Run the operation in a thread; its report (or refusal) goes back privately."""
        actor = actor_for(interaction.user)
        try:
            report = await asyncio.to_thread(operation, actor)
            text = getattr(report, "message", str(report))
            log.info("/%s by user %s: %s", action, interaction.user.id, text)
        except CallbotError as err:
            text = str(err)
            log.info("/%s by user %s refused: %s", action, interaction.user.id, text)
        await delivery.followup(interaction, listings.report_messages(text), ephemeral=True)

    async def add_document(self, interaction: discord.Interaction, attachment: discord.Attachment) -> None:
        """Validate the attachment, download it, then add it (the core validates and rebuilds)."""
        problem = attachment_problem(attachment, self.core.settings.limits.max_document_bytes)
        if problem is not None:
            await delivery.respond_privately(interaction, problem)
            await self._audit_refusal(interaction, "add-document", problem, attachment.filename)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await attachment.read()
        except discord.HTTPException as err:
            delivery.log_http_error(err, "download an attachment", delivery.where(interaction.channel))
            await delivery.followup(
                interaction,
                render.notice_messages("I could not download that attachment from Discord; nothing was added."),
                ephemeral=True,
            )
            return
        name = attachment.filename
        await self._finish(interaction, "add-document", lambda actor: self.knowledge.add_bytes(name, data, actor))

    async def gaps(self, interaction: discord.Interaction, limit: int) -> None:
        """What people asked that the bot could not answer well, grouped, most frequent first."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            found = await asyncio.to_thread(self.feedback.gaps, self.core.embedder, limit)
        except FeedbackUnavailableError as err:
            log.warning("/gaps by user %s: %s", interaction.user.id, err)
            await delivery.respond_privately(
                interaction, "The feedback database is busy just now; please try again in a moment."
            )
            return
        log.info("/gaps by user %s: %d group(s)", interaction.user.id, len(found))
        await delivery.followup(interaction, listings.gaps_messages(found), ephemeral=True)

    def document_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for /remove-document: documents whose title or id matches."""
        typed = (current or "").strip().lower()
        found = [s for s in self.core.sources() if typed in s.title.lower() or typed in s.doc_id.lower()]
        return [
            app_commands.Choice(name=clip(f"{s.title} ({s.doc_id})", CHOICE_NAME_LIMIT), value=s.doc_id)
            for s in found[:CHOICES_LIMIT]
        ]


def register_admin_commands(
    tree: app_commands.CommandTree, core: BotCore, knowledge: KnowledgeOps, cfg: DiscordConfig, feedback: FeedbackStore
) -> AdminCommands:
    """Add the admin commands: hidden by default from members without Manage Server, server-only."""
    admin = AdminCommands(core, knowledge, cfg, feedback)
    hidden = app_commands.default_permissions(manage_guild=True)
    server_only = app_commands.guild_only()

    @tree.command(name="reindex", description="Admin: rebuild the index from the knowledge folder")
    @hidden
    @server_only
    async def reindex(interaction: discord.Interaction) -> None:
        if await admin.allowed(interaction, "reindex"):
            await admin.run(interaction, "reindex", knowledge.rebuild)

    @tree.command(name="add-document", description="Admin: add a document (.md, .txt, .html or .pdf) and rebuild")
    @app_commands.describe(file="The document to add")
    @hidden
    @server_only
    async def add_document(interaction: discord.Interaction, file: discord.Attachment) -> None:
        if await admin.allowed(interaction, "add-document"):
            await admin.add_document(interaction, file)

    @tree.command(name="remove-document", description="Admin: remove a document and rebuild")
    @app_commands.describe(document="The document to remove")
    @hidden
    @server_only
    async def remove_document(interaction: discord.Interaction, document: str) -> None:
        if await admin.allowed(interaction, "remove-document"):
            await admin.run(interaction, "remove-document", lambda actor: knowledge.remove(document, actor))

    @remove_document.autocomplete("document")
    async def document_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # Non-admins see nothing here either: the list is not a secret, but it is not theirs.
        return admin.document_choices(current) if is_admin(interaction.user, cfg) else []

    @tree.command(name="rollback", description="Admin: go back to the previous index version")
    @hidden
    @server_only
    async def rollback(interaction: discord.Interaction) -> None:
        if await admin.allowed(interaction, "rollback"):
            await admin.run(interaction, "rollback", knowledge.rollback)

    @tree.command(name="gaps", description="Admin: what people asked that I could not answer well")
    @app_commands.describe(limit=f"How many groups of similar questions to show (default {GAPS_SHOWN})")
    @hidden
    @server_only
    async def gaps(interaction: discord.Interaction, limit: app_commands.Range[int, 1, GAPS_MAX] = GAPS_SHOWN) -> None:
        if await admin.allowed(interaction, "gaps"):
            await admin.gaps(interaction, limit)

    return admin

"""Helpful / not helpful buttons under every answer, and the votes they carry.

Each served answer (declined ones too) is recorded in the feedback store first; its id goes
into the buttons' custom_ids (`fb:<answer_id>:up|down`, 20 characters of Discord's 100).
Everything a click needs is in its custom_id, so clicks are routed by `on_interaction`
rather than by a `View` kept in memory: buttons keep working after a restart, and a
long-running bot holds nothing per message. The `View` only lays the buttons out; it is
stopped before sending, which is what keeps discord.py from storing it.

The store does SQLite I/O, so every call runs in a thread. A store failure never costs a
user their answer: the answer goes out without buttons, and a click gets a private apology.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace

import discord

from bot.adapters.discord import PLATFORM, delivery
from bot.adapters.discord.limits import Outgoing
from bot.ops.feedback import FeedbackStore
from bot.types import Answer

log = logging.getLogger(__name__)
CUSTOM_ID = re.compile(r"fb:(?P<answer_id>[A-Za-z0-9_-]{12}):(?P<vote>up|down)")
VOTE_FAILED = "Sorry — I could not record your vote just now; please try again later."


def custom_id(answer_id: str, helpful: bool) -> str:
    """The custom_id of one button: everything a click needs, nothing about the user."""
    return f"fb:{answer_id}:{'up' if helpful else 'down'}"


def feedback_view(answer_id: str) -> discord.ui.View:
    """One row with the two buttons; stopped, so discord.py never keeps it (see above)."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Helpful", emoji="👍", style=discord.ButtonStyle.secondary,
                                    custom_id=custom_id(answer_id, True)))
    view.add_item(discord.ui.Button(label="Not helpful", emoji="👎", style=discord.ButtonStyle.secondary,
                                    custom_id=custom_id(answer_id, False)))
    view.stop()
    return view


def with_buttons(messages: Sequence[Outgoing], view: discord.ui.View | None) -> list[Outgoing]:
    """The messages with the buttons on the last one (an answer split in parts is voted on
    once, under its end)."""
    out = list(messages)
    if view is not None and out:
        out[-1] = replace(out[-1], view=view)
    return out


class FeedbackButtons:
    """Records answers before they are sent, and stores the votes their buttons bring."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store

    async def view_for(self, answer: Answer, user: discord.abc.User) -> discord.ui.View | None:
        """Record the answer about to be sent to `user`; its buttons, or None if the store failed
        or the answer is a reply to small talk (nothing to rate, no gap to report)."""
        if not answer.searched:
            return None
        try:
            answer_id = await asyncio.to_thread(self.store.record_answer, answer, PLATFORM, str(user.id))
        except Exception:
            log.exception("could not record an answer in the feedback store; sending it without buttons")
            return None
        return feedback_view(answer_id)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A click on a feedback button: store the vote, acknowledge it privately."""
        if interaction.type is not discord.InteractionType.component:
            return
        match = CUSTOM_ID.fullmatch(str((interaction.data or {}).get("custom_id", "")))
        if match is None:
            return  # not ours
        helpful = match["vote"] == "up"
        try:
            sentence = await asyncio.to_thread(self.store.vote, match["answer_id"], PLATFORM,
                                               str(interaction.user.id), helpful)
            # No user id here: the store keeps voters only as salted hashes.
            log.debug("vote on answer %s: %s", match["answer_id"], "helpful" if helpful else "not helpful")
        except Exception:
            log.exception("could not record a vote on answer %s", match["answer_id"])
            sentence = VOTE_FAILED
        await delivery.respond_privately(interaction, sentence)


def attach_feedback(client: discord.Client, store: FeedbackStore) -> FeedbackButtons:
    """Handle button clicks (`on_interaction`; slash commands go to the command tree, not here)."""
    buttons = FeedbackButtons(store)
    client.event(buttons.on_interaction)  # registered by its name, `on_interaction`
    return buttons

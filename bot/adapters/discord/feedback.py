"""Helpful / not helpful buttons under every answer, and the votes they carry.

Each served answer (declined ones too) is recorded in the feedback store first; its id goes
into the buttons' custom_ids (`fb:<answer_id>:up|down`, 20 characters of Discord's 100).
Everything a click needs is in its custom_id, so the buttons are a `discord.ui.DynamicItem`
whose template parses it: the class is registered once per client
(`client.add_dynamic_items`), discord.py rebuilds a button from any click that matches, and
buttons keep working after a restart while a long-running bot holds nothing per message.
The `View` only lays the buttons out; it is stopped before sending, which is what keeps
discord.py from storing it.

The store does SQLite I/O, so every call runs in a thread. A store failure never costs a
user their answer: the answer goes out without buttons, and a click gets a private apology.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import discord

from bot.adapters.discord import PLATFORM, delivery
from bot.adapters.discord.limits import Outgoing
from bot.adapters.discord.render import HINTS
from bot.ops.feedback import FeedbackStore, FeedbackUnavailableError

log = logging.getLogger(__name__)
CUSTOM_ID = re.compile(r"fb:(?P<answer_id>[A-Za-z0-9_-]{12}):(?P<vote>up|down)")
DEFER_AFTER_SECONDS = 2.0  # Discord wants the first response to a click within 3 s
VOTE_FAILED = "Sorry — I could not record your vote just now; please try again later."


def custom_id(answer_id: str, helpful: bool) -> str:
    """The custom_id of one button: everything a click needs, nothing about the user."""
    return f"fb:{answer_id}:{'up' if helpful else 'down'}"


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=CUSTOM_ID):
    """One vote button; what it records is in its custom_id, who records it in `votes`.

    `votes` is set on the subclass `vote_button_type` makes for each client, so two bots in
    one process (or a restarted one) each record into their own store.
    """

    votes: ClassVar[FeedbackButtons | None] = None

    def __init__(self, answer_id: str, helpful: bool, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or (HINTS.helpful if helpful else HINTS.not_helpful),
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id(answer_id, helpful),
            )
        )
        self.answer_id = answer_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        """The button a click came from, rebuilt from its custom_id alone."""
        return cls(match["answer_id"], match["vote"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the vote to the store this client records into (a store-less button apologises)."""
        if self.votes is None:
            log.error("a vote button was clicked on a client without a feedback store")
            await delivery.respond_privately(interaction, VOTE_FAILED)
            return
        await self.votes.record_vote(interaction, self.answer_id, self.helpful)


def vote_button_type(recorder: FeedbackButtons) -> type[VoteButton]:
    """`VoteButton` bound to one client's feedback store, for `client.add_dynamic_items`."""

    class BoundVoteButton(VoteButton, template=CUSTOM_ID):
        votes = recorder

    return BoundVoteButton


def feedback_view(answer_id: str) -> discord.ui.View:
    """One row with the two buttons; stopped, so discord.py never keeps it (see above)."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(answer_id, True))
    view.add_item(VoteButton(answer_id, False))
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
    """Stores the votes the buttons bring (answers are recorded by `adapters.asking`)."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store

    async def record_vote(self, interaction: discord.Interaction, answer_id: str, helpful: bool) -> None:
        """A click on a feedback button: store the vote, acknowledge it privately."""
        store = self.store
        stored = asyncio.wrap_future(store.submit(store.vote, answer_id, PLATFORM, str(interaction.user.id), helpful))
        if not (await asyncio.wait({stored}, timeout=DEFER_AFTER_SECONDS))[0]:
            await delivery.defer_privately(interaction)  # a locked database: answer within Discord's 3 s
        try:
            sentence = await stored
            # No user id here: the store keeps voters only as salted hashes.
            log.debug("vote on answer %s: %s", answer_id, "helpful" if helpful else "not helpful")
        except FeedbackUnavailableError as err:
            log.warning("%s; vote on answer %s not stored, the voter was asked to try again", err, answer_id)
            sentence = VOTE_FAILED
        except Exception:
            log.exception("could not record a vote on answer %s", answer_id)
            sentence = VOTE_FAILED
        await delivery.respond_privately(interaction, sentence)


def attach_feedback(client: discord.Client, store: FeedbackStore) -> FeedbackButtons:
    """Route vote button clicks to `store`: the buttons are a dynamic item of this client
    (slash commands go to the command tree, not here)."""
    buttons = FeedbackButtons(store)
    client.add_dynamic_items(vote_button_type(buttons))
    return buttons

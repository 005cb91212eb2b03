"""The Sources button under an answer: its supporting passages, shown only to who clicks.

Like the vote buttons (`feedback.py`) it is a `discord.ui.DynamicItem`: its custom_id
(`src:<ref>,<ref>`, refs from `render.common.passage_ref`: a passage key and where its
best sentence is, about 45 of Discord's 100 characters) holds everything a click needs, so a button sent before a restart still works,
and nothing is kept per message. The keys name passages by position and text digest, which
survive rebuilds while the text is unchanged; a passage since removed is skipped, and a
click finding none gets a private sentence saying so.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import discord

from bot.adapters.asking import Asking
from bot.adapters.discord import delivery, render
from bot.adapters.discord.client import NO_MENTIONS
from bot.adapters.discord.feedback import VoteButton
from bot.render.common import in_language, passage_ref
from bot.types import Answer

log = logging.getLogger(__name__)
CUSTOM_ID = re.compile(r"src:(?P<keys>[\w~+-]{1,45}(?:,[\w~+-]{1,45})?)")


def custom_id(answer: Answer) -> str | None:
    """The Sources button's custom_id for an answer, or None when it has no supporting passage."""
    keys = [passage_ref(scored) for scored in render.source_passages(answer)]
    value = "src:" + ",".join(keys)
    return value if keys and CUSTOM_ID.fullmatch(value) else None


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=CUSTOM_ID):
    """One Sources button; `asking` (set per client by `sources_button_type`) finds the passages."""

    asking: ClassVar[Asking | None] = None

    def __init__(self, value: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or render.HINTS.sources_button,
                emoji="📄",
                style=discord.ButtonStyle.secondary,
                custom_id=value,
            )
        )
        match = CUSTOM_ID.fullmatch(value)
        self.keys = tuple(match["keys"].split(",")) if match else ()

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesButton:
        """The button a click came from, rebuilt from its custom_id alone."""
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Reply privately with the passages (they are in memory: no wait, no defer)."""
        passages = self.asking.passages(self.keys) if self.asking is not None else []
        if not passages:
            await delivery.respond_privately(interaction, render.HINTS.no_passages)
            return
        [message, *more] = render.passages_messages(passages)
        try:
            await interaction.response.send_message(
                embeds=list(message.embeds), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            for extra in more:
                await interaction.followup.send(embeds=list(extra.embeds), ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as err:
            delivery.log_http_error(err, "show the sources", delivery.where(interaction.channel))


def sources_button_type(asking: Asking) -> type[SourcesButton]:
    """`SourcesButton` bound to one client's `Asking`, for `client.add_dynamic_items`."""

    class BoundSourcesButton(SourcesButton, template=CUSTOM_ID):
        pass

    BoundSourcesButton.asking = asking
    return BoundSourcesButton


def answer_view(answer: Answer, feedback_id: str | None) -> discord.ui.View | None:
    """The row under an answer: Sources (when it has supporting passages), 👍, 👎; stopped,
    so discord.py never keeps it (see `feedback.py`). None when there is no button. The
    labels are in the answer's language."""
    hints = in_language(render.HINTS, answer.language)
    items: list[discord.ui.Item[Any]] = []
    value = custom_id(answer)
    if value is not None:
        items.append(SourcesButton(value, hints.sources_button))
    if feedback_id is not None:
        items += [VoteButton(feedback_id, True, hints.helpful), VoteButton(feedback_id, False, hints.not_helpful)]
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def attach_sources(client: discord.Client, asking: Asking) -> None:
    """Route Sources clicks of this client to `asking`."""
    client.add_dynamic_items(sources_button_type(asking))

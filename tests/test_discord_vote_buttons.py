"""The vote buttons are a `discord.ui.DynamicItem`: registered once per client, rebuilt by
discord.py from a click's custom_id, so a restarted bot (a new client, nothing in memory)
still records votes on buttons an earlier one sent. Real discord.py, the fake Discord."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.adapters.discord.feedback import CUSTOM_ID, VoteButton, custom_id, feedback_view
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord
from tests.test_discord_adapter import (  # noqa: F401  (fake and start_bot are fixtures)
    ANSWERABLE,
    fake,
    mention,
    start_bot,
    wait_posts,
)
from tests.test_discord_ops import stored_message, vote_ids, votes

pytestmark = pytest.mark.timeout(30)


def registered_vote_buttons(client: discord.Client) -> list[type]:
    """The dynamic item classes the client routes clicks to (discord.py keeps them by template)."""
    return [item for item in client._connection._view_store._dynamic_items.values() if issubclass(item, VoteButton)]


async def test_a_click_after_a_restart_is_routed_by_the_dynamic_item(fake: FakeDiscord, start_bot) -> None:
    before = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    before.task.cancel()
    await asyncio.gather(before.task, return_exceptions=True)

    after = await start_bot()  # a new client: it knows nothing about the message sent before
    client = after.app.client
    [button_type] = registered_vote_buttons(client)
    assert not hasattr(client, "on_interaction")  # no hand-written routing next to discord.py's
    assert client.persistent_views == []  # nothing kept per message
    up, down = vote_ids(body)
    assert button_type.votes is not None and button_type.votes.store is after.app.ops.feedback
    message = stored_message(fake, body)
    clicked = await fake.wait_answered(await fake.click(message, down, user_id=fake.BOB), 0)
    assert clicked.callback["data"]["flags"] == EPHEMERAL and "not helpful" in clicked.callback["data"]["content"]
    assert votes(after) == (0, 1)
    changed = await fake.wait_answered(await fake.click(message, up, user_id=fake.BOB), 0)
    assert changed.callback["data"]["flags"] == EPHEMERAL
    assert votes(after) == (1, 0)  # one vote per person per answer, changed


async def test_a_button_is_rebuilt_from_its_custom_id_alone() -> None:
    for helpful in (True, False):
        sent = VoteButton("AbC_-123456z", helpful)
        match = CUSTOM_ID.fullmatch(sent.custom_id)
        assert match is not None and sent.custom_id == custom_id("AbC_-123456z", helpful)
        rebuilt = await VoteButton.from_custom_id(None, sent.item, match)  # type: ignore[arg-type]
        assert (rebuilt.answer_id, rebuilt.helpful) == ("AbC_-123456z", helpful)
        assert rebuilt.to_component_dict() == sent.to_component_dict()


async def test_the_view_lays_out_the_two_buttons_and_is_never_stored() -> None:
    view = feedback_view("AbC_-123456z")  # in the event loop, as when the bot sends it
    [row] = view.to_components()
    assert [(b["label"], b["emoji"]["name"], b["custom_id"]) for b in row["components"]] == [
        ("Helpful", "👍", "fb:AbC_-123456z:up"),
        ("Not helpful", "👎", "fb:AbC_-123456z:down"),
    ]
    assert view.is_finished()  # discord.py stores only views that are still listening

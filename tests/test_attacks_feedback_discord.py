"""Attacks on the feedback store through the Discord adapter (issue 15, item 5).

As in `test_attacks_feedback.py`: another process holds `feedback.sqlite3` locked while the
real discord.py client answers and takes clicks from the fake Discord; answers go out without
buttons, a vote is retried for a bounded time, and the gateway's event loop keeps ticking.
"""

from __future__ import annotations

import pytest

from bot.adapters.discord.feedback import VOTE_FAILED
from tests.fakes.discord_server import FakeDiscord
from tests.test_attacks_feedback import MAX_LATE, VOTE_WAIT_SECONDS, Heartbeat, Lock, locks  # noqa: F401  (fixture)
from tests.test_discord_adapter import ANSWERABLE, fake, mention, start_bot, wait_posts  # noqa: F401
from tests.test_discord_ops import buttons, stored_message, vote_ids, votes

pytestmark = pytest.mark.timeout(60)


def private_text(interaction) -> str:  # type: ignore[no-untyped-def]
    """The private reply to a click: the callback itself, or the follow-up after a deferral."""
    data = interaction.callback["data"] or {}
    assert data.get("flags", 0) & 64, "the reply is private"
    return interaction.followups[0]["content"] if interaction.callback["type"] == 5 else data["content"]


async def test_discord_answers_during_a_lock_go_without_buttons_and_the_loop_keeps_ticking(
    fake: FakeDiscord, start_bot, locks
) -> None:
    bot = await start_bot()
    locks.append(await Lock.hold(bot.app.ops.feedback.path))
    beat = Heartbeat()
    for _ in range(3):
        await mention(fake, ANSWERABLE)
    sent = await wait_posts(fake, fake.GENERAL, 3, timeout=30)
    assert beat.stop() < MAX_LATE, "the event loop (and the gateway heartbeat) stalled"
    assert all(m["embeds"] for m in sent), "every question was answered"
    labels = [[b["label"] for b in buttons(m)] for m in sent]
    assert labels == [["Sources"]] * 3, "vote buttons on answers that were not stored (Sources needs no store)"
    await locks[0].release()
    await mention(fake, ANSWERABLE)
    later = (await wait_posts(fake, fake.GENERAL, 4))[-1]
    vote_ids(later)  # buttons again


async def test_discord_vote_during_a_lock_is_reported_then_kept(fake: FakeDiscord, start_bot, locks) -> None:
    bot = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    up, _ = vote_ids(body)
    locks.append(await Lock.hold(bot.app.ops.feedback.path))
    beat = Heartbeat()
    clicked = await fake.click(stored_message(fake, body), up)
    await fake.wait_answered(clicked, 0, timeout=3)  # Discord's limit for the first response
    await fake.wait_answered(clicked, 1, timeout=VOTE_WAIT_SECONDS + 10)
    assert beat.stop() < MAX_LATE
    assert private_text(clicked) == VOTE_FAILED
    await locks[0].release()
    clicked = await fake.wait_answered(await fake.click(stored_message(fake, body), up), 0)
    assert private_text(clicked) == "Thanks — noted as helpful."
    assert votes(bot) == (1, 0)

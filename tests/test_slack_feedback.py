"""Feedback on Slack end to end: buttons on every answer, votes stored once, gaps for admins.

Real slack-bolt against the fake Slack, in both modes where the path differs (a click arrives
as a Socket Mode `interactive` envelope or as a signed HTTP request); votes are read back
from the feedback store the adapter was given, never from the adapter itself.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.adapters.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, PASSAGES_ACTION, SHARE_ACTION
from bot.adapters.slack.mrkdwn import escape
from bot.types import Question
from tests.fakes.slack_server import all_text
from tests.test_slack_e2e import (  # noqa: F401  (fixtures)
    ADMIN,
    BOTH_MODES,
    OFF_TOPIC,
    ON_TOPIC,
    Bot,
    assert_cited_answer,
    fake,
    start_bot,
)

pytestmark = pytest.mark.timeout(40)


def buttons(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """action_id -> button, over every actions block of a message."""
    return {el["action_id"]: el for b in payload.get("blocks", []) if b["type"] == "actions" for el in b["elements"]}


def click_of(payload: dict[str, Any], action_id: str) -> dict[str, str]:
    button = buttons(payload)[action_id]
    return {"action_id": button["action_id"], "value": button["value"]}


def votes(bot: Bot) -> tuple[int, int]:
    """(helpful, not helpful) as the feedback store counts them."""
    rows = bot.service.ops.feedback.helpful_rate_by_day_and_version()
    return sum(r.helpful for r in rows), sum(r.not_helpful for r in rows)


def served(bot: Bot) -> tuple[int, int]:
    """(answers recorded, of which declined)."""
    rows = bot.service.ops.feedback.helpful_rate_by_day_and_version()
    return sum(r.answers for r in rows), sum(r.declined for r in rows)


@BOTH_MODES
async def test_every_answer_carries_helpful_and_not_helpful_buttons(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    fake = bot.fake
    await bot.event(fake.mention(ON_TOPIC))
    await bot.fake.wait_posts(1)
    await bot.event(fake.dm(ON_TOPIC, user="U0BOB", channel="D0BOB"))
    await bot.fake.wait_posts(2)
    await bot.event(fake.mention(OFF_TOPIC, thread_ts=fake.next_ts(), user="U0CAROL"))
    posts = [p.params for p in await fake.wait_posts(3)]
    private = await bot.answer_to(f"ask {ON_TOPIC}", user="U0DAVE")
    ids = set()
    for payload in (*posts, private):
        found = buttons(payload)
        assert found[FEEDBACK_UP]["value"] == found[FEEDBACK_DOWN]["value"]
        assert len(found[FEEDBACK_UP]["value"]) == 12
        assert "Helpful" in found[FEEDBACK_UP]["text"]["text"] and "Not helpful" in found[FEEDBACK_DOWN]["text"]["text"]
        ids.add(found[FEEDBACK_UP]["value"])
    assert len(ids) == 4, "each answer has its own id"
    declined = posts[2]
    assert declined.get("thread_ts") and not bot.core.ask(Question(OFF_TOPIC)).answered
    assert SHARE_ACTION not in buttons(declined), "declined answers have nothing to share"
    assert list(buttons(private)) == [PASSAGES_ACTION, SHARE_ACTION, FEEDBACK_UP, FEEDBACK_DOWN]
    assert_cited_answer(posts[0], bot.core, ON_TOPIC)
    assert served(bot) == (4, 1)


@BOTH_MODES
async def test_a_click_is_acked_at_once_acknowledged_privately_and_counted_once(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    store = bot.service.ops.feedback
    real_vote = store.vote

    def slow_vote(*args: Any) -> str:
        time.sleep(1.0)  # a busy database: the ack must not wait for it
        return real_vote(*args)

    store.vote = slow_vote  # type: ignore[method-assign]
    url = await bot.click(click_of(post.params, FEEDBACK_UP), user="U0BOB", message=post)
    assert bot.last_ack < 0.8
    reply = (await bot.fake.wait_responses(url))[0].body
    store.vote = real_vote  # type: ignore[method-assign]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "helpful" in reply["text"] and "not helpful" not in reply["text"]
    assert votes(bot) == (1, 0)

    again = await bot.click(click_of(post.params, FEEDBACK_UP), user="U0BOB", message=post)
    assert "already" in (await bot.fake.wait_responses(again))[0].body["text"]
    assert votes(bot) == (1, 0), "a repeated click counts once"

    switch = await bot.click(click_of(post.params, FEEDBACK_DOWN), user="U0BOB", message=post)
    switched = (await bot.fake.wait_responses(switch))[0].body
    assert "not helpful" in switched["text"] and switched["response_type"] == "ephemeral"
    assert votes(bot) == (0, 1), "the second button changes the vote"

    other = await bot.click(click_of(post.params, FEEDBACK_UP), user="U0CAROL", message=post)
    await bot.fake.wait_responses(other)
    assert votes(bot) == (1, 1), "another person's vote is their own"
    assert bot.fake.posts() == [post] and bot.fake.ephemerals() == [], "nothing public, nothing else"


async def test_buttons_on_a_private_answer_work_too(start_bot) -> None:
    bot = await start_bot()
    answer = await bot.answer_to(f"ask {ON_TOPIC}")
    url = await bot.click(click_of(answer, FEEDBACK_DOWN))  # a click on the ephemeral answer
    reply = (await bot.fake.wait_responses(url))[0].body
    assert reply["response_type"] == "ephemeral" and "not helpful" in reply["text"]
    assert votes(bot) == (0, 1)


async def test_small_talk_gets_a_reply_without_buttons_and_is_no_gap(start_bot) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.mention("hello"))
    post = (await bot.fake.wait_posts(1))[0].params
    assert "Hello!" in all_text(post)
    assert FEEDBACK_UP not in buttons(post), "nothing to rate in a greeting"
    assert bot.service.ops.feedback.gap_rows() == [], "a greeting is not a question the bot failed"


async def test_a_forged_or_unknown_answer_id_is_not_counted(start_bot) -> None:
    bot = await start_bot()
    url = await bot.click({"action_id": FEEDBACK_UP, "value": "no-such-id"})
    reply = (await bot.fake.wait_responses(url))[0].body
    assert reply["response_type"] == "ephemeral" and "not recorded" in reply["text"]
    assert votes(bot) == (0, 0)


async def test_a_broken_feedback_store_never_costs_the_answer(start_bot) -> None:
    bot = await start_bot()

    def broken(*args: Any) -> str:
        raise OSError("disk full")

    bot.service.ops.feedback.record_answer = broken  # type: ignore[method-assign]
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0].params
    assert_cited_answer(post, bot.core, ON_TOPIC)
    assert FEEDBACK_UP not in buttons(post), "no buttons rather than buttons that cannot work"


@BOTH_MODES
async def test_gaps_lists_badly_answered_questions_for_admins_only(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    fake = bot.fake
    for user in ("U0ALICE", "U0BOB"):  # asked twice, declined twice
        await bot.event(fake.mention(OFF_TOPIC, user=user))
    await bot.event(fake.mention(ON_TOPIC, user="U0CAROL"))
    posts = await fake.wait_posts(3)
    answered = next(p for p in posts if FEEDBACK_UP in buttons(p.params) and escape(ON_TOPIC) in all_text(p.params))
    url = await bot.click(click_of(answered.params, FEEDBACK_DOWN), user="U0CAROL", message=answered)
    await fake.wait_responses(url)

    refused = await bot.answer_to("gaps", user="U0ALICE")
    assert refused["response_type"] == "ephemeral" and "Only the bot's admins" in refused["text"]
    assert escape(OFF_TOPIC) not in all_text(refused)

    listing = await bot.answer_to("gaps", user=ADMIN)
    text = all_text(listing)
    assert listing["response_type"] == "ephemeral"
    assert f"*2×*  {escape(OFF_TOPIC)}" in text and f"*1×*  {escape(ON_TOPIC)}" in text
    assert text.index(escape(OFF_TOPIC)) < text.index(escape(ON_TOPIC)), "most frequent first"
    assert "declined 2" in text and "voted not helpful 1" in text
    assert "gaps" in all_text(await bot.answer_to("help", user=ADMIN))
    assert len(fake.posts()) == 3 and fake.ephemerals() == [], "only the admin saw the list"


async def test_gaps_with_nothing_recorded_says_so(start_bot) -> None:
    bot = await start_bot()
    reply = await bot.answer_to("gaps 5", user=ADMIN)
    assert "No gaps so far" in reply["text"]


async def test_votes_run_off_the_event_loop(start_bot) -> None:
    """While one vote is stuck in the database, questions are still answered."""
    bot = await start_bot()
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    store = bot.service.ops.feedback
    real_vote, release = store.vote, asyncio.Event()
    loop = asyncio.get_running_loop()

    def stuck_vote(*args: Any) -> str:
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(10)
        return real_vote(*args)

    store.vote = stuck_vote  # type: ignore[method-assign]
    url = await bot.click(click_of(post.params, FEEDBACK_UP), message=post)
    await bot.event(bot.fake.dm(ON_TOPIC, user="U0BOB", channel="D0BOB"))
    await bot.fake.wait_posts(2)
    assert bot.fake.responses_to(url) == []
    release.set()
    await bot.fake.wait_responses(url)
    assert votes(bot) == (1, 0)

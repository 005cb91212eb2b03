"""Follow-up questions on Slack, end to end: real slack-bolt and a real core against the fake
Slack over real sockets. The conversation is read from Slack (`conversations.replies` for a
thread, `conversations.history` for a DM), so it survives a restart of the bot.

Expected answers come from the same core asked with the same conversation, never from
hard-coded text; "(about: …)" shows that the conversation was used.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.mrkdwn import escape
from bot.core import BotCore
from bot.types import Question, Turn
from tests.fakes.slack_server import ApiCall
from tests.test_slack_e2e import fake, settle, start_bot  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(30)
FIRST = "Who launched the Paris Call?"
FOLLOW_UP = "ok and when was that?"


def about(post: ApiCall) -> bool:
    return "(about:" in str(post.params.get("text", ""))


def expected_lines(core: BotCore, question: str, context: tuple[Turn, ...]) -> list[str]:
    """The best sentences the core's answer in this conversation quotes."""
    answer = core.ask(Question(question, context=context))
    return [" ".join(escape(p.best_sentence).split()) for p in answer.passages if p.best_sentence]


async def ask_in_thread(bot: Any, text: str, root: str, **kw: Any) -> ApiCall:
    before = len(bot.fake.posts())
    await bot.event(bot.fake.mention(text, thread_ts=root, **kw))
    return (await bot.fake.wait_posts(before + 1))[-1]


async def start_thread(bot: Any, text: str = FIRST, **kw: Any) -> tuple[str, ApiCall]:
    event = bot.fake.mention(text, **kw)
    before = len(bot.fake.posts())
    await bot.event(event)
    return event["ts"], (await bot.fake.wait_posts(before + 1))[-1]


async def test_a_follow_up_in_the_thread_is_read_with_the_thread(start_bot) -> None:
    bot = await start_bot()
    root, first = await start_thread(bot)
    post = await ask_in_thread(bot, FOLLOW_UP, root)
    assert post.params["thread_ts"] == root and about(post)
    assert FIRST in post.params["text"]  # "(about: when was that? — after “Who launched ...”)"
    context = (Turn(FIRST, first.params["text"]),)
    for line in expected_lines(bot.core, FOLLOW_UP, context)[:1]:
        assert line in post.params["text"]
    assert bot.fake.calls_to("conversations.replies")


async def test_another_thread_and_a_new_mention_do_not_see_the_context(start_bot) -> None:
    bot = await start_bot()
    await start_thread(bot)
    other_root, _ = await start_thread(bot, "What is principle 8?")
    post = await ask_in_thread(bot, "and the next one?", other_root)
    assert "principle 9" in post.params["text"] and FIRST not in post.params["text"]
    before = len(bot.fake.posts())
    await bot.event(bot.fake.mention(FOLLOW_UP))  # top level: a new conversation
    assert not about((await bot.fake.wait_posts(before + 1))[-1])


async def test_two_users_share_context_only_in_one_thread(start_bot) -> None:
    bot = await start_bot()
    root, _ = await start_thread(bot, user="U0ALICE")
    before = len(bot.fake.posts())
    await bot.event(bot.fake.mention(FOLLOW_UP, user="U0BOB"))  # same channel, top level
    assert not about((await bot.fake.wait_posts(before + 1))[-1])
    assert about(await ask_in_thread(bot, FOLLOW_UP, root, user="U0BOB"))  # Alice's thread


async def test_a_mention_in_a_thread_the_bot_never_answered_starts_over(start_bot) -> None:
    bot = await start_bot()
    root = bot.fake.next_ts()
    bot.fake.remember(bot.fake.dm(FIRST, channel="C0POLICY", channel_type="channel", ts=root))  # people talk
    post = await ask_in_thread(bot, FOLLOW_UP, root)
    assert not about(post)


async def test_a_direct_message_follow_up_reads_the_dm(start_bot) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.dm(FIRST))
    first = (await bot.fake.wait_posts(1))[0]
    await bot.event(bot.fake.dm(FOLLOW_UP))
    post = (await bot.fake.wait_posts(2))[-1]
    assert post.params["channel"] == "D0ALICE" and about(post) and FIRST in post.params["text"]
    context = (Turn(FIRST, first.params["text"]),)
    for line in expected_lines(bot.core, FOLLOW_UP, context)[:1]:
        assert line in post.params["text"]
    assert bot.fake.calls_to("conversations.history")


async def test_a_restart_keeps_the_conversation_and_the_time_limit_ends_it(start_bot) -> None:
    bot = await start_bot("http")
    root, _ = await start_thread(bot)
    await bot.service.stop()
    bot = await start_bot("http")  # a new process: nothing of the old one is left
    assert about(await ask_in_thread(bot, FOLLOW_UP, root))
    last = max(float(m["ts"]) for m in bot.fake.messages)
    late = f"{last + 31 * 60:.6f}"  # conversation.max_age_minutes is 30
    assert not about(await ask_in_thread(bot, FOLLOW_UP, root, ts=late))


async def test_thread_replies_without_a_mention_only_when_configured(start_bot) -> None:
    bot = await start_bot(slack={"answer_thread_replies": True})
    root, _ = await start_thread(bot)
    reply = bot.fake.dm(FOLLOW_UP, channel="C0POLICY", channel_type="channel", thread_ts=root)
    await bot.event(reply)
    post = (await bot.fake.wait_posts(2))[-1]
    assert post.params["thread_ts"] == root and about(post)
    elsewhere = bot.fake.next_ts()  # a thread of people talking, without the bot
    bot.fake.remember(bot.fake.dm("lunch?", channel="C0POLICY", channel_type="channel", ts=elsewhere))
    await bot.event(bot.fake.dm(FOLLOW_UP, channel="C0POLICY", channel_type="channel", thread_ts=elsewhere))
    await settle(bot)
    assert len([p for p in bot.fake.posts() if p.params["channel"] == "C0POLICY"]) == 2


async def test_thread_replies_without_a_mention_are_ignored_by_default(start_bot) -> None:
    bot = await start_bot()
    root, _ = await start_thread(bot)
    await bot.event(bot.fake.dm(FOLLOW_UP, channel="C0POLICY", channel_type="channel", thread_ts=root))
    await settle(bot)
    assert len([p for p in bot.fake.posts() if p.params["channel"] == "C0POLICY"]) == 1

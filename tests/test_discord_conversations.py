"""Follow-up questions on Discord, end to end: real discord.py and a real core against the
fake Discord over real sockets. The conversation is read from Discord (the reply chain, a
thread's or a DM's recent messages), so it survives a restart of the bot.

"(about: …)" in the answer shows that the conversation was used, and which question it
continued; the core's own tests check what it does with it.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.test_discord_adapter import fake, mention, posts_to, start_bot, wait_posts  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(30)
FIRST = "Who launched the Paris Call?"
FOLLOW_UP = "ok and when was that?"


def said(body: dict) -> str:
    return " ".join([body.get("content") or "", *(e.get("description") or "" for e in body.get("embeds") or [])])


def about(body: dict, first: str = FIRST) -> bool:
    return "(about:" in said(body) and first in said(body)


def last_bot_message(fake: FakeDiscord, channel: int) -> dict:
    return [m for m in fake.bot_messages.values() if m["channel_id"] == str(channel)][-1]


async def ask(fake: FakeDiscord, channel: int, text: str, *, user: int | None = None, **kw) -> dict:
    before = len(posts_to(fake, channel))
    if channel in fake.dm_channels.values() or kw:
        await fake.send_message(user or fake.ALICE, channel, text, **kw)
    else:
        await mention(fake, text, user=user, channel=channel)
    return (await wait_posts(fake, channel, before + 1))[-1]


async def test_a_reply_to_the_bot_continues_the_conversation(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await ask(fake, fake.GENERAL, FIRST)
    reply = await ask(fake, fake.GENERAL, FOLLOW_UP, reply_to=last_bot_message(fake, fake.GENERAL))
    assert about(reply)
    again = await ask(fake, fake.GENERAL, "and where?", reply_to=last_bot_message(fake, fake.GENERAL))
    assert about(again)  # the chain goes back through the first follow-up to the first question


async def test_a_new_mention_or_another_user_in_the_channel_starts_over(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await ask(fake, fake.GENERAL, FIRST)
    assert not about(await ask(fake, fake.GENERAL, FOLLOW_UP, user=fake.BOB))
    assert not about(await ask(fake, fake.GENERAL, FOLLOW_UP))


async def test_a_thread_is_one_conversation_for_everyone_in_it(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await ask(fake, fake.THREAD, FIRST)
    assert about(await ask(fake, fake.THREAD, FOLLOW_UP, user=fake.BOB))


async def test_a_direct_message_follow_up_reads_the_dm(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    dm = fake.dm_channel(fake.ALICE)
    await ask(fake, dm, FIRST)
    assert about(await ask(fake, dm, FOLLOW_UP))


async def test_slash_ask_inside_a_thread_continues_it(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await ask(fake, fake.THREAD, FIRST)
    done = await fake.wait_answered(await fake.invoke("ask", {"question": FOLLOW_UP}, channel_id=fake.THREAD), 1)
    assert about(done.followups[0])
    elsewhere = await fake.wait_answered(await fake.invoke("ask", {"question": FOLLOW_UP}), 1)
    assert not about(elsewhere.followups[0])  # /ask in a channel starts a conversation


async def test_a_restart_keeps_the_conversation_and_the_time_limit_ends_it(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await ask(fake, fake.THREAD, FIRST)
    bot.task.cancel()
    await asyncio.gather(bot.task, return_exceptions=True)
    fake.ready.clear()
    await start_bot()  # a new process: only Discord remembers the thread
    assert about(await ask(fake, fake.THREAD, FOLLOW_UP))
    fake.advance(31)  # conversation.max_age_minutes is 30
    assert not about(await ask(fake, fake.THREAD, FOLLOW_UP))

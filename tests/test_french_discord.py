"""A French question on the fake Discord: answered from the English documents, and a French
off-topic question declined with the bot's words in French (real discord.py, real sockets)."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.types import Question
from tests.test_discord_adapter import assert_cited_answer, fake, mention, start_bot, wait_posts  # noqa: F401

pytestmark = pytest.mark.timeout(30)
FRENCH = "Qui a lancé l'Appel de Paris ?"
FRENCH_OFF_TOPIC = "Comment faire une génoise au chocolat ?"


async def test_a_french_mention_gets_the_cited_answer(fake, start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    assert bot.core.ask(Question(FRENCH)).language == "fr"
    await mention(fake, FRENCH)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert_cited_answer(bot.core, FRENCH, [reply])
    labels = [button["label"] for row in reply["components"] for button in row["components"]]
    assert labels == ["Sources", "Utile", "Pas utile"]


async def test_a_french_off_topic_question_is_declined_in_french(fake, start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    answer = bot.core.ask(Question(FRENCH_OFF_TOPIC))
    assert not answer.answered and answer.language == "fr"
    await mention(fake, FRENCH_OFF_TOPIC)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["content"].startswith(answer.message)
    assert answer.message.startswith("Les documents")
    assert "Je peux répondre à des questions sur" in reply["content"]


async def test_a_french_locale_gets_the_bots_words_in_french_for_an_english_slash_question(fake, start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    off_topic = "How do I bake a chocolate sponge cake?"
    english = bot.core.ask(Question(off_topic))
    assert not english.answered and english.language == "en"
    fake.locale = "fr"
    reply = await fake.wait_answered(await fake.invoke("ask", {"question": off_topic}), 1)
    content = reply.followups[0]["content"]
    assert content.startswith(i18n.text("decline", "fr")) and "Je peux répondre à des questions sur" in content
    fake.locale = "en-US"
    reply = await fake.wait_answered(await fake.invoke("ask", {"question": off_topic}), 1)
    assert reply.followups[0]["content"].startswith(english.message)

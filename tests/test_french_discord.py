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


async def test_a_french_off_topic_question_is_declined_in_french(fake, start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    answer = bot.core.ask(Question(FRENCH_OFF_TOPIC))
    assert not answer.answered and answer.language == "fr"
    await mention(fake, FRENCH_OFF_TOPIC)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["content"].startswith(answer.message)
    assert answer.message.startswith("Les documents")
    assert i18n.text("can_answer_list", "fr") in reply["content"]

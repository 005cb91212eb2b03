"""A French question on the fake Slack: answered from the English documents, and a French
off-topic question declined with the bot's words in French (real slack-bolt, real sockets)."""

from __future__ import annotations

import pytest

from bot.adapters.slack.mrkdwn import escape
from bot.types import Question
from tests.test_slack_e2e import assert_cited_answer, fake, sections, start_bot  # noqa: F401

pytestmark = pytest.mark.timeout(30)
FRENCH = "Qui a lancé l'Appel de Paris ?"
FRENCH_OFF_TOPIC = "Comment faire une génoise au chocolat ?"


async def test_a_french_mention_gets_the_cited_answer(start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    await bot.event(bot.fake.mention(FRENCH))
    post = (await bot.fake.wait_posts(1))[0]
    assert_cited_answer(post.params, bot.core, FRENCH)
    rows = [block for block in post.params["blocks"] if block["type"] == "actions"]
    labels = [element["text"]["text"] for row in rows for element in row["elements"]]
    assert labels == ["Voir les passages", "👍 Utile", "👎 Pas utile"], "the buttons speak the question's language"


async def test_a_french_off_topic_question_is_declined_in_french(start_bot) -> None:  # noqa: F811
    bot = await start_bot()
    answer = bot.core.ask(Question(FRENCH_OFF_TOPIC))
    assert not answer.answered and answer.language == "fr"
    await bot.event(bot.fake.dm(FRENCH_OFF_TOPIC))
    post = (await bot.fake.wait_posts(1))[0].params
    assert escape(answer.message) in post["text"] and answer.message.startswith("Les documents")
    assert "Je peux répondre à des questions sur" in "\n".join(sections(post))
    assert "les neuf principes de l" in "\n".join(sections(post))

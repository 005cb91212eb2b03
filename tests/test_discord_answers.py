"""Discord answers as a person sees them, over the fake Discord: the Sources button end to
end (private, at most two passages, each from another document, each cited once, still
working after a restart), bullets kept on their own lines, hints naming real commands.
Expected texts come from the core, never hard-coded."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.adapters.discord import render
from bot.adapters.discord.sources import CUSTOM_ID
from bot.render.common import citation, lead_passage, supporting_passages
from bot.types import Question
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord
from tests.test_discord_adapter import (  # noqa: F401  (fake and start_bot are fixtures)
    ANSWERABLE,
    fake,
    mention,
    posts_to,
    start_bot,
    unmarked,
    wait_posts,
)
from tests.test_discord_ops import buttons, stored_message

pytestmark = pytest.mark.timeout(30)


def sources_id(message: dict) -> str:
    [button] = [b for b in buttons(message) if b["label"] == "Sources"]
    assert CUSTOM_ID.fullmatch(button["custom_id"]) and len(button["custom_id"]) <= 100
    return button["custom_id"]


async def click_sources(fake: FakeDiscord, body: dict, user: int) -> dict:
    clicked = await fake.wait_answered(await fake.click(stored_message(fake, body), sources_id(body), user_id=user), 0)
    assert clicked.callback["type"] == 4 and clicked.callback["data"]["flags"] == EPHEMERAL  # only who clicked
    return clicked.callback["data"]


def assert_supporting_passages(shown: dict, core, question: str) -> None:
    """The private reply lists the answer's supporting passages: each from a document other
    than the answer's and each other, each cited exactly once."""
    answer = core.ask(Question(question))
    expected = supporting_passages(answer)
    assert 1 <= len(expected) <= 2
    [embed] = shown["embeds"]
    text = unmarked(embed["description"])
    assert embed["title"] == render.HINTS.passages_title
    for scored in expected:
        assert text.count(f"— *{citation(scored.passage)}*") == 1
        assert " ".join(scored.passage.text.split())[:60] in " ".join(text.split())
    assert text.count("\n— ") == len(expected)  # nothing else is cited
    for scored in expected:  # the sentence that made it a candidate is bold again
        first_line = " ".join(scored.best_sentence.strip().splitlines()[0].split())
        assert f"**{first_line}" in re.sub(r"\\(.)", r"\1", embed["description"])
    lead = lead_passage(answer)
    assert lead is not None and citation(lead.passage) not in text  # the answer's own source is already cited


async def test_the_sources_button_shows_the_supporting_passages_privately(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    shown = await click_sources(fake, body, fake.BOB)  # anyone in the channel may look
    assert_supporting_passages(shown, bot.core, ANSWERABLE)
    assert len(posts_to(fake, fake.GENERAL)) == 1, "nothing new in the channel"


async def test_a_sources_button_sent_before_a_restart_still_works(fake: FakeDiscord, start_bot) -> None:
    before = await start_bot()
    await mention(fake, ANSWERABLE)
    [body] = await wait_posts(fake, fake.GENERAL, 1)
    before.task.cancel()
    await asyncio.gather(before.task, return_exceptions=True)
    after = await start_bot()  # a new client: it holds nothing about the message sent before
    assert after.app.client.persistent_views == []
    shown = await click_sources(fake, body, fake.ALICE)
    assert_supporting_passages(shown, after.core, ANSWERABLE)


async def test_principle_passages_keep_bullets_on_their_own_lines(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    shown = await fake.wait_answered(await fake.invoke("principle", {"number": 1}), 1)
    embeds = [e for f in shown.followups for e in f["embeds"]]
    passages = embeds[1:]
    assert passages, "the passages that discuss it"
    titles = [e["title"].split(". ", 1)[1] for e in passages]
    assert len(titles) == len(set(titles)) <= 2, "each document once"
    text = "\n".join(e["description"] for e in passages)
    assert re.search(r"\*\*\n\\- \w", text), "a bullet after a bold line starts its own line"
    assert not re.search(r"\*\* \\- ", text), "no bullets run together"


async def test_principle_12_names_the_slash_command_that_lists_them(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    await mention(fake, "what is principle 12?")
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["content"].endswith("`/principles` lists them all.")
    for command in re.findall(r"`/([a-z-]+)", render.decline_messages(bot.core.ask(Question("cake?")))[0].content):
        fake.command(command)  # every command a Discord hint names exists there

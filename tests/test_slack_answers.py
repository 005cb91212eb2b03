"""Slack answers as a person sees them, over the fake Slack: the Show passages button end to
end, mentions saying "principles" / "principle N" / "sources" / "help", a principle shown
with the passages that discuss it (as on Discord), bullets kept on their own lines, and a
refused `gaps` audited (as on Discord). Expected texts come from the core."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.adapters.slack.blocks import PASSAGES_ACTION, hints_for
from bot.adapters.slack.mrkdwn import escape
from bot.adapters.slack.subcommands import KNOWN, bare_subcommand, parse
from bot.render.common import citation, lead_passage, supporting_passages
from bot.types import Question
from tests.fakes.slack_server import all_text
from tests.test_slack_e2e import (  # noqa: F401  (fixtures)
    BOTH_MODES,
    ON_TOPIC,
    assert_cited_answer,
    contexts,
    fake,
    read,
    sections,
    start_bot,
)
from tests.test_slack_feedback import click_of

pytestmark = pytest.mark.timeout(30)


def unlinked(mrkdwn: str) -> str:
    return read(re.sub(r"<[^|>]+\|([^>]+)>", r"\1", mrkdwn))


@BOTH_MODES
async def test_show_passages_posts_the_supporting_passages_privately(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    await bot.event(bot.fake.mention(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    assert_cited_answer(post.params, bot.core, ON_TOPIC)
    url = await bot.click(click_of(post.params, PASSAGES_ACTION), user="U0BOB", message=post)
    [shown] = await bot.fake.wait_responses(url)
    assert shown.body["response_type"] == "ephemeral" and shown.body.get("replace_original") is False
    answer = bot.core.ask(Question(ON_TOPIC))
    expected = supporting_passages(answer)
    cited = [unlinked(c) for b in shown.body["blocks"] if b["type"] == "context" for c in [b["elements"][0]["text"]]]
    assert cited[1:] == [f"— {citation(s.passage)}" for s in expected]  # each once, in order, after the title
    lead = lead_passage(answer)
    assert lead is not None and citation(lead.passage) not in unlinked(all_text(shown.body))
    body = "\n".join(read(s) for s in sections(shown.body))
    for scored in expected:
        assert " ".join(scored.passage.text.split())[:60] in " ".join(body.split())
        first_line = " ".join(scored.best_sentence.strip().splitlines()[0].split())
        assert f"*{escape(first_line)}" in "\n".join(sections(shown.body))  # its best sentence bold again
    assert len(bot.fake.posts()) == 1, "nothing new in the channel"


async def test_mentions_saying_principles_sources_or_help_get_them(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    for n, text in enumerate(("principles", "Sources?", "help", "principle 8"), start=1):
        await bot.event(fake.mention(text))
        await fake.wait_posts(n)
    listing, sources, helping, eight = (p.params for p in fake.posts())
    for p in bot.core.principles():
        assert f"*{p.number}. {escape(p.title)}*" in all_text(listing)
    assert all(escape(s.title) in all_text(sources) for s in bot.core.sources())
    assert "principle N" in all_text(helping)
    p8 = bot.core.principle(8)
    assert escape(p8.title) in all_text(eight) and escape(p8.text) in "\n".join(sections(eight))
    assert all(p.params.get("thread_ts") for p in fake.posts()), "answered in the thread"
    await bot.event(fake.mention("principles of the Call on elections?"))  # a question, not the listing
    question = (await fake.wait_posts(5))[4].params
    assert question["blocks"][0]["elements"][0]["text"].startswith(":speech_balloon: principles of the Call")
    assert not any(b["type"] == "header" for b in question["blocks"])  # answered (or declined) as a question


async def test_principle_n_shows_the_passages_that_discuss_it_one_per_document(start_bot) -> None:
    bot = await start_bot()
    shown = await bot.answer_to("principle 1")
    cited = [unlinked(c) for c in contexts(shown).splitlines() if c.startswith("— ")]
    assert 1 <= len(cited) <= 2 and len(set(cited)) == len(cited), "each document once"
    text = "\n".join(sections(shown))
    assert re.search(r";\*\n- \w", text), "a bullet after a bold line starts its own line"
    assert not re.search(r"\* - \w", text), "no bullets run together"


async def test_a_refused_gaps_is_audited_like_on_discord(start_bot) -> None:
    bot = await start_bot()
    refused = await bot.answer_to("gaps", user="U0ALICE")
    assert "Only the bot's admins" in refused["text"]
    for _ in range(200):
        entries = [e for e in bot.app.knowledge.log() if e.outcome == "refused"]
        if entries:
            break
        await asyncio.sleep(0.01)
    [entry] = entries
    assert (entry.action, entry.user_id, entry.platform) == ("gaps", "U0ALICE", "slack")


def test_every_slack_hint_names_a_command_that_works_there() -> None:
    hints = hints_for("/policy-bot")
    named = re.findall(r"`/policy-bot ([^`]+)`", " ".join([*hints.suggestions(), hints.fill(hints.list_principles)]))
    assert {"principles", "principle 8", "sources"} <= set(named)
    for command in named:
        sub, rest = parse(command)
        assert sub in KNOWN and sub != "ask" and bare_subcommand(command) == (sub, rest)


def test_bare_subcommands_are_only_the_whole_message() -> None:
    said: dict[str, Any] = {
        "principles": ("principles", ""),
        "Principle 3?": ("principle", "3"),
        "help!": ("help", ""),
        "principles of the Call?": None,
        "sources of the funding": None,
        "who signed?": None,
    }
    for text, expected in said.items():
        assert bare_subcommand(text) == expected, text

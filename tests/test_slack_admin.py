"""Admin work over Slack: refusals, knowledge operations, documents shared as files, ack latency."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.knowledge.operations import KnowledgeOps
from bot.types import Question
from tests.fakes.slack_server import BOT_TOKEN, all_text
from tests.test_slack_e2e import ADMIN, BOTH_MODES, fake, start_bot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timeout(40)

NEW_DOC = (
    '---\ntitle: "Quokka Accord on Undersea Cable Resilience"\npublisher: "Test Ministry"\ndate: "2024-05-01"\n---\n'
    "The Quokka Accord commits its signatories to protect undersea cables from sabotage. "
    "Signatories of the Quokka Accord share warnings about threats to undersea cables within a day. "
    "The Quokka Accord was agreed in Hobart by eleven maritime states.\n"
)
NEW_QUESTION = "What does the Quokka Accord commit signatories to do about undersea cables?"


def refusals(knowledge: KnowledgeOps) -> list:
    return [e for e in knowledge.log() if e.outcome == "refused"]


@BOTH_MODES
async def test_non_admin_reindex_is_refused_and_changes_nothing(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    version = bot.core.index_version
    for command in ("reindex", "rollback", "remove 000-paris-call-launch-diplomatie"):
        body = await bot.answer_to(command, user="U0ALICE")
        assert "Only the bot's admins" in body["text"] and body["response_type"] == "ephemeral"
    assert bot.core.index_version == version
    assert sorted(e.action for e in refusals(bot.app.knowledge)) == ["build", "remove", "rollback"]
    assert "000-paris-call-launch-diplomatie" in [e.target for e in refusals(bot.app.knowledge)]
    assert all(e.user_id == "U0ALICE" for e in refusals(bot.app.knowledge))
    assert bot.fake.posts() == []


async def test_admin_reindex_and_remove_go_through_the_core(start_bot) -> None:
    bot = await start_bot()
    before = bot.core.index_version
    url, _ = await bot.command("reindex", user=ADMIN)
    working, done = await bot.fake.wait_responses(url, 2, timeout=20)
    assert bot.core.index_version != before
    assert bot.core.index_version in done.body["text"]
    url, _ = await bot.command("remove 004-bab-signs-paris-call", user=ADMIN)
    done = (await bot.fake.wait_responses(url, 2, timeout=20))[-1]
    assert "004-bab-signs-paris-call" not in [s.doc_id for s in bot.core.sources()]
    assert bot.core.index_version in done.body["text"]
    url, _ = await bot.command("remove no-such-doc", user=ADMIN)
    done = (await bot.fake.wait_responses(url, 2))[-1]
    assert "no-such-doc" in done.body["text"] and "nothing was changed" in done.body["text"]


async def test_admin_shares_a_document_in_a_dm_then_questions_use_it(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    before = bot.core.ask(Question(NEW_QUESTION))
    assert "Quokka" not in " ".join(p.passage.title for p in before.passages)
    file_id = fake.add_file("quokka-accord.md", NEW_DOC.encode(), user=ADMIN)
    await bot.event(fake.dm("", user=ADMIN, channel="D0ADMIN", files=[{"id": file_id, "name": "quokka-accord.md"}]))
    added = (await fake.wait_posts(1, timeout=20))[0].params
    assert added["channel"] == "D0ADMIN" and "quokka-accord.md" in added["text"]
    download = fake.calls_to("files.download")[0]
    assert download.token == BOT_TOKEN and fake.calls_to("files.info")[0].params["file"] == file_id
    await bot.event(fake.dm(NEW_QUESTION))
    answer = (await fake.wait_posts(2))[1].params
    assert "Quokka Accord on Undersea Cable Resilience" in all_text(answer)
    assert answer["text"].startswith("The Quokka Accord commits its signatories")  # the answer leads


async def test_admin_adds_with_a_mention_and_add(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    file_id = fake.add_file("quokka.md", NEW_DOC.encode(), user=ADMIN)
    event = fake.mention("add", user=ADMIN, files=[{"id": file_id, "name": "quokka.md"}])
    await bot.event(event)
    added = (await fake.wait_posts(1, timeout=20))[0].params
    assert added["thread_ts"] == event["ts"] and "quokka.md" in added["text"]
    assert "quokka" in " ".join(s.doc_id for s in bot.core.sources())


async def test_a_refused_document_says_exactly_why_and_changes_nothing(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    version = bot.core.index_version
    file_id = fake.add_file("slides.pptx", b"PK\x03\x04 not a document", user=ADMIN)
    await bot.event(fake.dm("", user=ADMIN, channel="D0ADMIN", files=[{"id": file_id, "name": "slides.pptx"}]))
    reply = (await fake.wait_posts(1, timeout=10))[0].params["text"]
    assert reply.startswith("I did not add slides.pptx:") and "unsupported file type" in reply
    assert bot.core.index_version == version


async def test_non_admin_file_share_is_refused_privately(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    version = bot.core.index_version
    file_id = fake.add_file("quokka.md", NEW_DOC.encode(), user="U0ALICE")
    event = fake.mention("add", user="U0ALICE", files=[{"id": file_id, "name": "quokka.md"}])
    await bot.event(event)
    refusal = (await fake.wait_until(lambda: fake.ephemerals(), what="the refusal"))[0].params
    assert refusal["user"] == "U0ALICE" and "Only the bot's admins" in refusal["text"]
    assert fake.calls_to("files.info") == [] and fake.calls_to("files.download") == []
    assert fake.posts() == [] and bot.core.index_version == version
    assert [(e.action, e.target) for e in refusals(bot.app.knowledge)] == [("add", "quokka.md")]


async def test_workspace_admins_count_when_configured(start_bot) -> None:
    bot = await start_bot(slack={"workspace_admins_are_admins": True, "admin_user_ids": []})
    bot.fake.add_user("U0WSADMIN", is_admin=True)
    assert "reindex" in all_text(await bot.answer_to("help", user="U0WSADMIN"))
    assert "reindex" not in all_text(await bot.answer_to("help", user="U0ALICE"))
    assert {c.params["user"] for c in bot.fake.calls_to("users.info")} == {"U0WSADMIN", "U0ALICE"}


@BOTH_MODES
async def test_acks_stay_fast_while_a_rebuild_runs(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    knowledge = bot.app.knowledge
    real_rebuild, started = knowledge.rebuild, asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_rebuild(actor, force: bool = False):
        loop.call_soon_threadsafe(started.set)
        time.sleep(1.5)  # a big knowledge base: blocks its thread, must not block the loop
        return real_rebuild(actor, force)

    knowledge.rebuild = slow_rebuild
    reindex_url, ack = await bot.command("reindex", user=ADMIN)
    assert ack < 0.5
    await asyncio.wait_for(started.wait(), 5)
    principles_url, ack = await bot.command("principles")
    assert ack < 0.5
    assert await bot.event(bot.fake.mention("Who signed the Paris Call?")) < 0.5
    await bot.fake.wait_responses(principles_url)
    await bot.fake.wait_posts(1)
    assert len(bot.fake.responses_to(reindex_url)) == 1, "the rebuild is still running"
    done = (await bot.fake.wait_responses(reindex_url, 2, timeout=20))[-1]
    assert bot.core.index_version in done.body["text"]


async def test_add_without_a_file_explains_how(start_bot) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.mention("add the new report please", user=ADMIN))
    hint = (await bot.fake.wait_until(lambda: bot.fake.ephemerals(), what="the hint"))[0].params
    assert hint["user"] == ADMIN and "share the file with me" in hint["text"]
    assert bot.fake.posts() == [] and bot.fake.calls_to("files.info") == []

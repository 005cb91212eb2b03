"""The Discord adapter end to end: real discord.py, a real core (fake embedder), the fake
Discord over 127.0.0.1 sockets. Expected texts come from the core, never hard-coded."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass

import discord
import pytest
from discord.gateway import DiscordWebSocket

import bot.adapters.discord.run as discord_run
from bot.adapters.discord.admin import REFUSAL
from bot.adapters.discord.render import HINTS, safe
from bot.app import App
from bot.core import BotCore
from bot.knowledge.operations import KnowledgeOps
from bot.render.common import in_language, lead_citation, supporting_passages
from bot.types import Question
from tests.fakes.discord_serve import serve_on_fake
from tests.fakes.discord_server import EPHEMERAL, MESSAGE_CONTENT_INTENT, FakeDiscord

pytestmark = pytest.mark.timeout(30)
ANSWERABLE = "Who launched the Paris Call for Trust and Security in Cyberspace?"
OFF_TOPIC = "How do I bake a chocolate sponge cake?"


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch):
    # The adapter sets discord.py's process-wide endpoints; monkeypatch puts them back.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    server = await FakeDiscord(heartbeat_interval=0.1).start()
    yield server
    await server.close()


@dataclass
class Running:
    parts: App
    app: discord_run.DiscordApp
    task: asyncio.Task

    @property
    def core(self) -> BotCore:
        return self.parts.core

    @property
    def knowledge(self) -> KnowledgeOps:
        return self.parts.knowledge


@pytest.fixture
async def start_bot(fake: FakeDiscord, make_app, monkeypatch: pytest.MonkeyPatch):
    """Start the adapter through `serve` (token from the environment, as in production)."""
    running: list[Running] = []

    async def start(
        discord_cfg: dict | None = None, sync: bool | None = True, *, wait_ready: bool = True, **overrides
    ) -> Running:
        cfg = {
            "api_base_url": fake.api_base_url,
            "gateway_url": fake.gateway_url,
            "guild_ids": [fake.GUILD_ID],
            "admin_role_ids": [fake.ADMIN_ROLE],
            **(discord_cfg or {}),
        }
        overrides.setdefault("metrics", {"port": 0})  # /healthz and /metrics on a free port
        parts = make_app(discord=cfg, **overrides)
        app, task = await serve_on_fake(parts, fake, monkeypatch, sync=sync, wait_ready=wait_ready)
        running.append(Running(parts, app, task))
        return running[-1]

    yield start
    for bot in running:
        bot.task.cancel()
        await asyncio.gather(bot.task, return_exceptions=True)
        bot.core.stop_watcher()
    assert fake.errors == []
    for body in fake.messages_out():  # nothing the bot sent could ping anyone
        assert body.get("allowed_mentions", {}).get("parse") == [], body
        assert body["allowed_mentions"].get("replied_user", False) is False


def posts_to(fake: FakeDiscord, channel_id: int) -> list[dict]:
    return [
        r.body
        for r in fake.requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages" and r.status < 300
    ]


async def wait_posts(fake: FakeDiscord, channel_id: int, count: int, timeout: float = 10) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(posts_to(fake, channel_id)) < count:
        got = posts_to(fake, channel_id)
        assert time.monotonic() < deadline, f"expected {count} message(s) in {channel_id}, got {got}"
        await asyncio.sleep(0.01)
    return posts_to(fake, channel_id)


async def mention(fake: FakeDiscord, text: str, *, user: int | None = None, channel: int | None = None) -> dict:
    return await fake.send_message(user or fake.ALICE, channel or fake.GENERAL, f"<@{fake.BOT_ID}> {text}")


def unmarked(markdown: str) -> str:
    """What a person reads: Discord's bold markers and escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def assert_cited_answer(core: BotCore, question: str, messages: list[dict]) -> None:
    """What a person sees: one embed whose description starts with the core's one-line answer,
    the part that answers in bold, the citation on its own line under it, the index version
    in the footer, and under it a Sources button and the two vote buttons."""
    answer = core.ask(Question(question))
    assert answer.answered and answer.lead
    [message] = messages
    [embed] = message["embeds"]
    paragraphs = embed["description"].split("\n\n")
    assert unmarked(paragraphs[0]).endswith(answer.lead)  # a tentative mark may precede it
    if answer.lead_span:
        assert f"**{answer.lead_span.strip()}**" in unmarked_but_bold(paragraphs[0])
    cited = lead_citation(answer)
    assert paragraphs[1].startswith("— *") and unmarked(paragraphs[1].split(" · <")[0]) == f"— *{cited}*"
    assert unmarked(embed["description"]).count(cited.split(" — ")[0]) == 1  # the title once
    assert answer.index_version in embed["footer"]["text"]
    labels = [b["label"] for row in message["components"] for b in row["components"]]
    sources = supporting_passages(answer)
    hints = in_language(HINTS, answer.language)  # the labels speak the question's language
    assert labels == ([hints.sources_button] if sources else []) + [hints.helpful, hints.not_helpful]


def unmarked_but_bold(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


async def audited_refusals(knowledge: KnowledgeOps, count: int) -> list:
    """The audit log's refusals, once `count` are there (they are written after the reply)."""
    for _ in range(500):
        refusals = [e for e in knowledge.log() if e.outcome == "refused"]
        if len(refusals) >= count:
            return refusals
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} refusals in the audit log")


# -- conversations --------------------------------------------------------------------------
async def test_mention_gets_a_cited_reply(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    question = await mention(fake, ANSWERABLE)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["message_reference"]["message_id"] == int(question["id"])
    assert_cited_answer(bot.core, ANSWERABLE, [reply])
    await asyncio.sleep(0.2)  # the reply came back through the gateway: it must not be answered
    assert len(posts_to(fake, fake.GENERAL)) == 1


async def test_direct_message_and_thread(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    dm = fake.dm_channel(fake.ALICE)
    await fake.send_message(fake.ALICE, dm, ANSWERABLE)  # no mention needed in a DM
    [dm_reply] = await wait_posts(fake, dm, 1)
    assert_cited_answer(bot.core, ANSWERABLE, [dm_reply])
    asked = await mention(fake, "What does the Call say about hack-back?", channel=fake.THREAD)
    [thread_reply] = await wait_posts(fake, fake.THREAD, 1)
    assert thread_reply["message_reference"]["message_id"] == int(asked["id"])
    assert posts_to(fake, fake.GENERAL) == []  # the answer stayed in the thread


async def test_ignores_bots_broadcasts_roles_and_unaddressed_messages(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await mention(fake, ANSWERABLE, user=fake.OTHER_BOT)
    await fake.send_message(fake.ALICE, fake.GENERAL, f"@everyone {ANSWERABLE}")
    await fake.send_message(fake.ALICE, fake.GENERAL, f"@here {ANSWERABLE}")
    await fake.send_message(fake.ALICE, fake.GENERAL, f"<@&{fake.BOT_ROLE}> {ANSWERABLE}")
    await fake.send_message(fake.ALICE, fake.AUTO_CHANNEL, ANSWERABLE)  # not an auto channel by default
    await mention(fake, ANSWERABLE, user=fake.BOB)  # events arrive in order: this one is last
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    await asyncio.sleep(0.2)
    assert reply["message_reference"]["message_id"] and len(posts_to(fake, fake.GENERAL)) == 1
    assert posts_to(fake, fake.AUTO_CHANNEL) == []


async def test_declined_question_gets_a_helpful_reply(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    answer = bot.core.ask(Question(OFF_TOPIC))
    assert not answer.answered
    await mention(fake, OFF_TOPIC)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["embeds"] == [] and reply["content"].startswith(answer.message)
    assert "`/principles`" in reply["content"] and "`/sources`" in reply["content"]
    assert "`principles`" not in reply["content"]  # CLI command names are not shown on Discord


async def test_everyone_in_a_question_pings_nobody(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    await mention(fake, f"@everyone @here <@{fake.BOB}> {ANSWERABLE}")
    await wait_posts(fake, fake.GENERAL, 1)
    interaction = await fake.invoke("ask", {"question": f"@everyone <@{fake.BOB}> {ANSWERABLE}"})
    await fake.wait_answered(interaction, 1)
    sent = fake.messages_out()
    assert len(sent) == 2
    for body in sent:
        assert body["allowed_mentions"] in ({"parse": []}, {"parse": [], "replied_user": False})
    echoed = json.dumps(interaction.followups[0], ensure_ascii=False)
    assert "everyone" in echoed and "@everyone" not in echoed  # echoed, but inert


async def test_an_answer_from_long_passages_stays_one_message_within_limits(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot(chunking={"sentences": 12, "overlap": 0, "max_chars": 10000}, retrieval={"top_k": 12})
    await mention(fake, ANSWERABLE)
    answer = bot.core.ask(Question(ANSWERABLE))
    total = sum(len(sp.passage.text) for sp in answer.passages)
    assert total > 6000, "precondition: the passages would not fit in one message"
    [reply] = await wait_posts(fake, fake.GENERAL, 1)  # the fake refuses anything over Discord's limits
    assert "message_reference" in reply
    assert_cited_answer(bot.core, ANSWERABLE, [reply])
    assert reply["embeds"][0]["description"].count("**") % 2 == 0


async def test_rate_limit_sends_a_private_notice(fake: FakeDiscord, start_bot) -> None:
    await start_bot(limits={"rate_limit_questions": 2, "rate_limit_seconds": 60})
    for _ in range(3):
        await mention(fake, ANSWERABLE)
    await mention(fake, ANSWERABLE, user=fake.BOB)  # the limit is per user
    await wait_posts(fake, fake.GENERAL, 3)
    [notice] = await wait_posts(fake, fake.dm_channel(fake.ALICE), 1)
    assert "try again in" in notice["content"]
    assert "2 questions per 60 seconds" in notice["content"]
    refused = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE}), 0)
    assert refused.callback["type"] == 4 and refused.callback["data"]["flags"] == EPHEMERAL
    assert "try again in" in refused.callback["data"]["content"]


async def test_forbidden_channel_is_logged_clearly(fake: FakeDiscord, start_bot, caplog) -> None:
    await start_bot()
    missing = {"code": 50013, "message": "Missing Permissions"}
    fake.fail_next("POST", rf"/channels/{fake.GENERAL}/messages", 403, missing)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        await mention(fake, ANSWERABLE)
        await fake.wait_for_request(lambda r: r.status == 403)
        await mention(fake, ANSWERABLE)  # the bot carries on
        await wait_posts(fake, fake.GENERAL, 1)
    lines = [r.getMessage() for r in caplog.records if "403 missing permissions" in r.getMessage()]
    assert len(lines) == 1 and "#general" in lines[0] and "Send Messages" in lines[0]


async def test_auto_answer_channel_needs_and_requests_the_content_intent(fake: FakeDiscord, start_bot, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="bot.adapters.discord"):
        bot = await start_bot(discord_cfg={"auto_answer_channel_ids": [fake.AUTO_CHANNEL]})
    assert fake.message_content_intent
    assert any("Message Content intent" in r.getMessage() for r in caplog.records)
    await fake.send_message(fake.ALICE, fake.AUTO_CHANNEL, "thanks, very useful")  # chatter: ignored
    await fake.send_message(fake.ALICE, fake.GENERAL, ANSWERABLE)  # not an auto channel
    await fake.send_message(fake.ALICE, fake.AUTO_CHANNEL, ANSWERABLE)
    [reply] = await wait_posts(fake, fake.AUTO_CHANNEL, 1)
    assert_cited_answer(bot.core, ANSWERABLE, [reply])
    await asyncio.sleep(0.2)
    assert len(posts_to(fake, fake.AUTO_CHANNEL)) == 1 and posts_to(fake, fake.GENERAL) == []


async def test_default_intents_are_not_privileged(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    intents = int(fake.identify["intents"])
    assert not intents & MESSAGE_CONTENT_INTENT
    assert not intents & (1 << 1) and not intents & (1 << 8)  # no members, no presences


async def test_question_length_is_limited(fake: FakeDiscord, start_bot) -> None:
    await start_bot(limits={"max_question_chars": 60})
    assert fake.command("ask")["options"][0]["max_length"] == 60  # Discord enforces it in the UI too
    long_question = "Which states and companies supported the Paris Call when it was launched in 2018?"
    await mention(fake, long_question)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    assert reply["embeds"] == [] and f"{len(long_question)} characters long" in reply["content"]
    assert "under 60" in reply["content"]


async def test_discord_rate_limit_is_retried(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    fake.fail_next(
        "POST",
        rf"/channels/{fake.GENERAL}/messages",
        429,
        {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
    )
    await mention(fake, ANSWERABLE)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    statuses = [r.status for r in fake.requests if r.path == f"/channels/{fake.GENERAL}/messages"]
    assert statuses == [429, 200] and reply["embeds"]


# -- slash commands -----------------------------------------------------------------------
async def test_commands_are_synced_to_the_configured_guild(fake: FakeDiscord, start_bot) -> None:
    await start_bot()
    puts = [r.path for r in fake.requests if r.method == "PUT"]
    assert puts == [f"/applications/{fake.APP_ID}/guilds/{fake.GUILD_ID}/commands"]
    names = {name for _, name in fake.commands}
    assert names == {
        "ask",
        "principles",
        "principle",
        "sources",
        "help",
        "reindex",
        "add-document",
        "remove-document",
        "rollback",
        "gaps",
    }
    for name in ("reindex", "add-document", "remove-document", "rollback", "gaps"):
        assert fake.command(name)["default_member_permissions"] == str(discord.Permissions(manage_guild=True).value)
    assert fake.command("ask")["default_member_permissions"] is None


async def test_no_sync_when_disabled(fake: FakeDiscord, start_bot) -> None:
    await start_bot(discord_cfg={"sync_commands": False}, sync=None)
    assert not [r for r in fake.requests if r.method == "PUT"]


async def test_commands_sync_globally_without_guild_ids(fake: FakeDiscord, start_bot) -> None:
    await start_bot(discord_cfg={"guild_ids": []})
    assert [r.path for r in fake.requests if r.method == "PUT"] == [f"/applications/{fake.APP_ID}/commands"]
    assert fake.command("reindex")["contexts"] == [0]  # admin commands: servers only, never DMs


async def test_principles_lists_all_nine(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    interaction = await fake.wait_answered(await fake.invoke("principles"), 1)
    assert interaction.callback["type"] == 5  # deferred at once
    text = "\n".join(e["description"] for f in interaction.followups for e in f["embeds"])
    principles = bot.core.principles()
    assert len(principles) == 9
    for p in principles:
        assert f"**{p.number}. {safe(p.title)}**\n{safe(p.text)}" in text


async def test_principle_autocomplete_and_answer(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    typed = await fake.wait_answered(await fake.invoke("principle", {"number": "hack"}, focused="number"), 0)
    assert typed.callback["type"] == 8
    eight = bot.core.principle(8)
    assert typed.callback["data"]["choices"] == [{"name": f"8. {eight.title}", "value": 8}]
    everything = await fake.wait_answered(await fake.invoke("principle", {"number": ""}, focused="number"), 0)
    assert [c["value"] for c in everything.callback["data"]["choices"]] == list(range(1, 10))

    shown = await fake.wait_answered(await fake.invoke("principle", {"number": 8}), 1)
    embeds = [e for f in shown.followups for e in f["embeds"]]
    assert embeds[0]["title"] == f"Principle 8 — {eight.title}" and embeds[0]["description"] == safe(eight.text)
    assert len(embeds) >= 2 and embeds[1]["title"].startswith("1. ")  # the passages that discuss it


async def test_ask_private_is_ephemeral_and_public_is_not(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    private = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE, "private": True}), 1)
    assert private.callback == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert private.followups[0]["flags"] & EPHEMERAL
    assert private.followups[0]["embeds"][0]["author"]["name"] == f"Q: {ANSWERABLE}"
    assert_cited_answer(bot.core, ANSWERABLE, private.followups)
    public = await fake.wait_answered(await fake.invoke("ask", {"question": ANSWERABLE}), 1)
    assert not (public.callback.get("data") or {}).get("flags") and not public.followups[0].get("flags")


async def test_sources_and_help(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    sources = await fake.wait_answered(await fake.invoke("sources"), 1)
    text = "\n".join(e["description"] for f in sources.followups for e in f["embeds"])
    for s in bot.core.sources():
        assert safe(s.title) in text and safe(s.publisher) in text and s.date in text
    member_help = await fake.wait_answered(await fake.invoke("help", user_id=fake.ALICE), 1)
    admin_help = await fake.wait_answered(await fake.invoke("help", user_id=fake.ADMIN), 1)
    assert member_help.followups[0]["flags"] & EPHEMERAL
    assert "/reindex" not in json.dumps(member_help.followups) and "/reindex" in json.dumps(admin_help.followups)


async def test_unexpected_error_in_a_command_is_logged_and_the_user_told(
    fake: FakeDiscord, start_bot, monkeypatch, caplog
) -> None:
    bot = await start_bot()

    def broken() -> list:
        raise RuntimeError("manifest unreadable")

    monkeypatch.setattr(bot.core, "sources", broken)
    with caplog.at_level(logging.ERROR, logger="bot.adapters.discord"):
        failed = await fake.wait_answered(await fake.invoke("sources"), 1)
    assert "went wrong" in failed.followups[0]["content"] and "manifest" not in failed.followups[0]["content"]
    assert any("/sources failed" in r.getMessage() and "manifest unreadable" in r.getMessage() for r in caplog.records)


# -- admin ----------------------------------------------------------------------------------
async def test_non_admin_reindex_is_refused_and_changes_nothing(fake: FakeDiscord, start_bot, caplog) -> None:
    bot = await start_bot()
    version = bot.core.index_version
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord"):
        refused = await fake.wait_answered(await fake.invoke("reindex", user_id=fake.BOB), 0)
        [entry] = await audited_refusals(bot.knowledge, 1)
    assert refused.callback["type"] == 4  # answered at once, privately, not deferred
    assert refused.callback["data"]["content"] == REFUSAL and refused.callback["data"]["flags"] == EPHEMERAL
    assert refused.followups == []
    assert bot.core.index_version == version
    assert any("refused /reindex" in r.getMessage() and str(fake.BOB) in r.getMessage() for r in caplog.records)
    assert entry.action == "build" and entry.user_id == str(fake.BOB) and entry.platform == "discord"


async def test_admin_adds_a_document_then_it_answers_from_it(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    before = bot.core.index_version
    document = (
        b'---\ntitle: "Quokka Island Pledge on Submarine Cable Resilience"\npublisher: "Quokka Institute"\n'
        b'date: "2024-03-01"\n---\n'
        b"The Quokka Island Pledge commits signatories to repair submarine cables within seventy-two hours.\n\n"
        b"Signatories of the Quokka Island Pledge share cable fault telemetry with neighbouring islands.\n"
    )
    added = await fake.wait_answered(
        await fake.invoke(
            "add-document", {"file": ("quokka-pledge.md", document, "text/markdown")}, user_id=fake.ADMIN
        ),
        1,
    )
    assert added.callback == {"type": 5, "data": {"flags": EPHEMERAL}}
    report = added.followups[0]["content"]
    assert bot.core.index_version != before and bot.core.index_version in report
    assert "quokka" in report.lower()
    question = "What does the Quokka Island Pledge commit signatories to do about submarine cables?"
    await mention(fake, question)
    [reply] = await wait_posts(fake, fake.GENERAL, 1)
    cited = unmarked(reply["embeds"][0]["description"]).split("\n\n")[1]
    assert cited == "— *Quokka Island Pledge on Submarine Cable Resilience — Quokka Institute, 2024-03-01*"


async def test_add_document_refusals_say_why(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    before = bot.core.index_version
    wrong = await fake.wait_answered(
        await fake.invoke(
            "add-document", {"file": ("payload_*x*.exe", b"MZ...", "application/octet-stream")}, user_id=fake.ADMIN
        ),
        0,
    )
    assert wrong.callback["data"]["flags"] == EPHEMERAL
    assert "payload\\_\\*x\\*.exe" in wrong.callback["data"]["content"] and ".pdf" in wrong.callback["data"]["content"]
    fake_pdf = await fake.wait_answered(
        await fake.invoke(
            "add-document", {"file": ("report.pdf", b"just text, not a pdf", "application/pdf")}, user_id=fake.ADMIN
        ),
        1,
    )
    assert "not a PDF" in fake_pdf.followups[0]["content"] and "Nothing was changed" in fake_pdf.followups[0]["content"]
    assert bot.core.index_version == before
    refusals = await audited_refusals(bot.knowledge, 2)
    assert {e.target for e in refusals} == {"payload_*x*.exe", "report.pdf"} and {e.action for e in refusals} == {"add"}


async def test_admin_removes_a_document_then_rolls_back(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    before = bot.core.index_version
    doc = next(s for s in bot.core.sources() if s.doc_id.startswith("004"))
    typed = await fake.wait_answered(
        await fake.invoke("remove-document", {"document": "britishamerican"}, focused="document", user_id=fake.ADMIN), 0
    )
    assert [c["value"] for c in typed.callback["data"]["choices"]] == [doc.doc_id]
    hidden = await fake.wait_answered(
        await fake.invoke("remove-document", {"document": ""}, focused="document", user_id=fake.BOB), 0
    )
    assert hidden.callback["data"]["choices"] == []

    removed = await fake.wait_answered(
        await fake.invoke("remove-document", {"document": doc.doc_id}, user_id=fake.ADMIN), 1
    )
    assert f"Removed {doc.doc_id}" in removed.followups[0]["content"].replace("\\", "")
    assert doc.doc_id not in {s.doc_id for s in bot.core.sources()}
    rolled = await fake.wait_answered(await fake.invoke("rollback", user_id=fake.ADMIN), 1)
    assert bot.core.index_version == before and before in rolled.followups[0]["content"]
    assert doc.doc_id in {s.doc_id for s in bot.core.sources()}


async def test_heartbeat_is_answered_during_a_slow_rebuild(fake: FakeDiscord, start_bot, monkeypatch) -> None:
    bot = await start_bot()
    rebuild = bot.knowledge.rebuild

    def slow_rebuild(actor):  # a build that takes a while, as with a real model
        time.sleep(1.2)
        return rebuild(actor)

    monkeypatch.setattr(bot.knowledge, "rebuild", slow_rebuild)
    before = bot.core.index_version
    interaction = await fake.invoke("reindex", user_id=fake.ADMIN)
    await fake.wait_answered(interaction, 0)
    started = time.monotonic()
    await mention(fake, ANSWERABLE)  # other users are served meanwhile
    await wait_posts(fake, fake.GENERAL, 1)
    answered_question_after = time.monotonic() - started
    await fake.wait_answered(interaction, 1)
    finished = time.monotonic()
    assert answered_question_after < 1.0
    beats = [t for t in fake.heartbeats if started <= t <= finished]
    gaps = [b - a for a, b in zip([started, *beats], [*beats, finished])]
    assert len(beats) >= 8 and max(gaps) < 0.5, gaps
    report = interaction.followups[0]["content"]
    assert bot.core.index_version != before and bot.core.index_version in report
    assert re.search(r"\d+ documents, \d+ passages, built in [\d.]+ s", report)


# -- start-up -------------------------------------------------------------------------------
async def test_auto_sharding_uses_the_gateway_endpoint(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot(discord_cfg={"shard_count": "auto"})
    assert isinstance(bot.app.client, discord.AutoShardedClient)
    assert any(r.path == "/gateway/bot" for r in fake.requests)
    await mention(fake, ANSWERABLE)
    await wait_posts(fake, fake.GENERAL, 1)


async def test_run_with_a_bad_token_exits_2_with_one_line(fake: FakeDiscord, make_app, monkeypatch, capsys) -> None:
    parts = make_app(discord={"api_base_url": fake.api_base_url, "gateway_url": fake.gateway_url}, metrics={"port": 0})
    monkeypatch.setenv("DISCORD_TOKEN", "not-the-token")
    code = await asyncio.to_thread(discord_run.run, parts)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "DISCORD_TOKEN" in err and "rejected" in err
    assert [r.status for r in fake.requests] == [401]


def test_run_without_a_token_exits_2_with_one_line(make_app, monkeypatch, capsys) -> None:
    parts = make_app(discord={"token_env": "CALLBOT_TEST_NO_SUCH_TOKEN"})
    monkeypatch.delenv("CALLBOT_TEST_NO_SUCH_TOKEN", raising=False)
    assert discord_run.run(parts) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CALLBOT_TEST_NO_SUCH_TOKEN" in err and "Traceback" not in err


async def test_refused_content_intent_exits_2_with_one_line(make_app, monkeypatch, capsys) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    server = await FakeDiscord(message_content_allowed=False).start()
    try:
        parts = make_app(
            discord={
                "api_base_url": server.api_base_url,
                "gateway_url": server.gateway_url,
                "auto_answer_channel_ids": [server.AUTO_CHANNEL],
                "sync_commands": False,
            },
            metrics={"port": 0},
        )
        monkeypatch.setenv("DISCORD_TOKEN", server.TOKEN)
        code = await asyncio.to_thread(discord_run.run, parts)
    finally:
        await server.close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Message Content intent" in err and "Traceback" not in err

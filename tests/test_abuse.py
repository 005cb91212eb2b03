"""Chat-platform abuse, end to end through the fake Discord and the fake Slack.

* A user flooding questions is rate limited with a polite private notice, while another
  user's questions, asked during the flood, are all answered promptly.
* A question full of mention, broadcast, link and formatting syntax is rendered inert:
  asserted on the exact payloads the fakes recorded.

Real discord.py / slack-bolt, a real core (fake embedder), fakes on 127.0.0.1 port 0.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from bot.adapters.slack.mrkdwn import plain_text
from bot.adapters.slack.run import SlackSecrets, SlackService
from bot.app import App
from bot.core import BotCore
from bot.types import Question
from tests.fakes.discord_serve import serve_on_fake
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord, Recorded
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, SIGNING_SECRET, FakeSlack, all_text

pytestmark = pytest.mark.timeout(60)
ANSWERABLE = "Who launched the Paris Call for Trust and Security in Cyberspace?"
CALM_QUESTIONS = [
    ANSWERABLE,
    "Which companies signed the Paris Call?",
    "What does the Paris Call say about election interference?",
    "When was the Paris Call launched?",
    "What are the principles of the Paris Call?",
]
LIMIT, WINDOW = len(CALM_QUESTIONS), 60  # the calm user asks exactly its budget; the flooder far more
NOTICE = re.compile(
    rf"You're asking quickly — I answer up to {LIMIT} questions per {WINDOW} seconds per person\. "
    r"Please try again in \d+ s\."
)
PROMPT_SECONDS = 2.0  # the calm user's every answer, from injection to the fake receiving it
FLOOD_MAX = 150
# The injection tests are about rendering: with the decline threshold off the junk-laden
# question gets a cited answer (Discord echoes only answered questions, in /ask).
ALWAYS_ANSWER = {"min_evidence": -1.0}


# -- Discord ---------------------------------------------------------------------------------------
@pytest.fixture
async def discord_bot(make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch):
    """`await discord_bot(**settings)` -> (fake, core), the adapter started through `serve`."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    fake = await FakeDiscord(heartbeat_interval=0.1).start()
    tasks: list[tuple[asyncio.Task, BotCore]] = []

    async def start(**overrides: Any) -> tuple[FakeDiscord, BotCore]:
        app = make_app(
            metrics={"port": 0},
            discord={"api_base_url": fake.api_base_url, "gateway_url": fake.gateway_url, "guild_ids": [fake.GUILD_ID]},
            **overrides,
        )
        core = app.core
        _, task = await serve_on_fake(app, fake, monkeypatch)
        tasks.append((task, core))
        return fake, core

    yield start
    for task, core in tasks:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        core.stop_watcher()
    await fake.close()
    assert fake.errors == []
    for body in fake.messages_out():  # nothing the bot sent could ping anyone
        assert_no_pings(body)


def assert_no_pings(body: dict) -> None:
    """Exactly Discord's 'mention nobody': no parse types, no user or role lists, no reply ping."""
    allowed = body.get("allowed_mentions")
    assert allowed is not None, body
    assert set(allowed) <= {"parse", "replied_user"}, allowed
    assert allowed["parse"] == [] and allowed.get("replied_user", False) is False, allowed


def sent(fake: FakeDiscord, method: str, pattern: str) -> list[Recorded]:
    return [r for r in fake.requests if r.method == method and r.status < 300 and re.fullmatch(pattern, r.path)]


def replies_to(fake: FakeDiscord, message_id: str) -> list[Recorded]:
    return [
        r
        for r in sent(fake, "POST", rf"/channels/{fake.GENERAL}/messages")
        if str((r.body.get("message_reference") or {}).get("message_id")) == message_id
    ]


def dm_posts(fake: FakeDiscord, user_id: int) -> list[Recorded]:
    channel = fake.dm_channels.get(user_id)
    return [] if channel is None else sent(fake, "POST", rf"/channels/{channel}/messages")


def followups(fake: FakeDiscord, token: str) -> list[Recorded]:
    return sent(fake, "POST", rf"/webhooks/\d+/{re.escape(token)}")


def callback(fake: FakeDiscord, token: str) -> dict | None:
    found = sent(fake, "POST", rf"/interactions/\d+/{re.escape(token)}/callback")
    assert len(found) <= 1
    return found[0].body if found else None


async def until(predicate: Callable[[], Any], timeout: float = 10, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        await asyncio.sleep(0.01)
    return result


def is_cited_answer(body: dict) -> bool:
    embeds = body.get("embeds") or []
    return bool(embeds) and "Index version" in ((embeds[-1].get("footer") or {}).get("text") or "")


async def test_discord_flood_is_rate_limited_privately_while_another_user_is_answered(discord_bot) -> None:
    fake, core = await discord_bot(limits={"rate_limit_questions": LIMIT, "rate_limit_seconds": WINDOW})
    flooder, calm = fake.ALICE, fake.BOB
    mentions: list[str] = []  # the flooder's message ids
    tokens: list[str] = []  # the flooder's /ask interactions
    calm_done = asyncio.Event()

    async def flood() -> None:
        for i in range(FLOOD_MAX):
            if calm_done.is_set():
                return
            if i % 2 == 0:
                message = await fake.send_message(flooder, fake.GENERAL, f"<@{fake.BOT_ID}> {ANSWERABLE}")
                mentions.append(message["id"])
            else:
                tokens.append((await fake.invoke("ask", {"question": ANSWERABLE}, user_id=flooder)).token)
            await asyncio.sleep(0.005)

    flooding = asyncio.create_task(flood())
    await until(lambda: len(mentions) + len(tokens) > LIMIT + 2, what="the flood to pass the limit")
    latencies = []
    try:
        for question in CALM_QUESTIONS:
            asked_at = time.monotonic()
            message = await fake.send_message(calm, fake.GENERAL, f"<@{fake.BOT_ID}> {question}")
            [reply] = await until(
                lambda message=message: replies_to(fake, message["id"]), what=f"an answer to {question!r}"
            )
            latencies.append(reply.at - asked_at)
            assert is_cited_answer(reply.body) or "I can answer questions about" in reply.body["content"], reply.body
    finally:
        calm_done.set()
        await flooding
    flood_size = len(mentions) + len(tokens)
    assert flood_size >= 2 * len(CALM_QUESTIONS), "the flood lasted through the calm user's questions"

    # The calm user: every question answered, promptly, and never told to slow down.
    assert len(latencies) == len(CALM_QUESTIONS) and max(latencies) < PROMPT_SECONDS, latencies
    assert dm_posts(fake, calm) == []

    # The flooder: exactly LIMIT answers; every other question got exactly one private notice.
    def settled() -> bool:
        answered = sum(len(replies_to(fake, m)) for m in mentions) + sum(len(followups(fake, t)) for t in tokens)
        refused = len(dm_posts(fake, flooder)) + sum(1 for t in tokens if (callback(fake, t) or {}).get("type") == 4)
        return answered + refused >= flood_size

    await until(settled, what="a reply to every flooded question")
    await asyncio.sleep(0.3)  # anything extra would arrive now
    answered_mentions = [m for m in mentions if replies_to(fake, m)]
    answered_asks = [t for t in tokens if followups(fake, t)]
    assert len(answered_mentions) + len(answered_asks) == LIMIT
    for m in mentions:
        assert len(replies_to(fake, m)) == (1 if m in answered_mentions else 0)
    notices = dm_posts(fake, flooder)
    assert len(notices) == len(mentions) - len(answered_mentions)  # each refused mention: one DM, nothing public
    for notice in notices:
        assert NOTICE.fullmatch(notice.body["content"]), notice.body
        assert not notice.body.get("embeds")
    for t in tokens:
        cb = callback(fake, t)
        if t in answered_asks:
            assert cb["type"] == 5 and len(followups(fake, t)) == 1  # deferred, then one answer
        else:
            assert cb["type"] == 4 and cb["data"]["flags"] == EPHEMERAL  # only the flooder sees it
            assert NOTICE.fullmatch(cb["data"]["content"]), cb
            assert followups(fake, t) == []
    public = [r.body.get("content") or "" for r in sent(fake, "POST", rf"/channels/{fake.GENERAL}/messages")]
    assert not any("asking quickly" in text for text in public)


DISCORD_INJECTION = (
    "@everyone @here <@123> <@!123> <@&456> <@123456789012345678> <@&456789012345678901> "
    "[click](https://evil.example) ```js **__~~||breakout " + ANSWERABLE
)
# What the /ask answer shows as its first embed's author name: a field Discord renders as plain
# text (no markdown, no mentions); @everyone/@here and real-length ids are broken as well.
DISCORD_ECHO = (
    "Q: @\u200beveryone @\u200bhere <@123> <@!123> <@&456> <@\u200b123456789012345678> "
    "<@\u200b&456789012345678901> [click](https://evil.example) ```js **__~~||breakout " + ANSWERABLE
)
INJECTED_FRAGMENTS = ("evil.example", "breakout", "@everyone", "@here", "<@", "```", "||", "~~")


async def test_discord_injection_in_a_question_is_inert(discord_bot) -> None:
    fake, core = await discord_bot(retrieval=ALWAYS_ANSWER)
    assert core.ask(Question(DISCORD_INJECTION)).answered, "precondition: the question is answered (so echoed)"
    message = await fake.send_message(fake.ALICE, fake.GENERAL, f"<@{fake.BOT_ID}> {DISCORD_INJECTION}")
    interaction = await fake.invoke("ask", {"question": DISCORD_INJECTION})
    [reply] = await until(lambda: replies_to(fake, message["id"]), what="the mention's answer")
    await fake.wait_answered(interaction, 1)
    followup = interaction.followups[0]

    for body in (reply.body, followup):
        assert_no_pings(body)
        assert is_cited_answer(body), body
        assert body.get("content") in (None, "")
        for embed in body["embeds"]:
            assert embed["description"].count("**") % 2 == 0  # our bold spans stay balanced
    assert "replied_user" not in followup["allowed_mentions"] or followup["allowed_mentions"]["replied_user"] is False
    # The mention's reply does not echo the question; /ask echoes it in the author name only.
    assert followup["embeds"][0]["author"]["name"] == DISCORD_ECHO
    for body in (reply.body, followup):
        shown = json.loads(json.dumps(body))
        for embed in shown["embeds"]:
            embed.pop("author", None)
        rest = json.dumps(shown, ensure_ascii=False)
        for fragment in INJECTED_FRAGMENTS:
            assert fragment not in rest, fragment
    # The fake derives pings from what was sent: none.
    assert len(fake.messages_out()) == 2


# -- Slack -----------------------------------------------------------------------------------------
@pytest.fixture
async def slack_bot(make_app: Callable[..., App]) -> AsyncIterator[Callable[..., Any]]:
    """`await slack_bot(**settings)` -> (fake, core), the adapter in Socket Mode."""
    fake = await FakeSlack().start()
    services: list[SlackService] = []

    async def start(**overrides: Any) -> tuple[FakeSlack, BotCore]:
        app = make_app(
            metrics={"port": 0},
            slack={"mode": "socket", "api_base_url": fake.api_url, "host": "127.0.0.1", "port": 0},
            **overrides,
        )
        core = app.core
        secrets = SlackSecrets(BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, None, None)
        service = SlackService(app, secrets, app.ops)  # as serve() wires it
        services.append(service)
        await service.start()
        await fake.wait_connected()
        return fake, core

    yield start
    for service in services:
        await service.stop()
    await fake.stop()
    assert fake.problems == [], "the fake Slack refused something"


async def slack_event(fake: FakeSlack, event: dict) -> None:
    envelope = await fake.send_envelope("events_api", fake.event_body(event))
    assert (await fake.wait_ack(envelope)).elapsed < 3.0


async def slack_command(fake: FakeSlack, text: str, user: str) -> str:
    payload = fake.command_payload(text, user=user)
    envelope = await fake.send_envelope("slash_commands", payload)
    assert (await fake.wait_ack(envelope)).elapsed < 3.0
    return payload["response_url"]


def thread_posts(fake: FakeSlack, channel: str, ts: str) -> list:
    return [p for p in fake.posts() if p.params["channel"] == channel and p.params.get("thread_ts") == ts]


def thread_ephemerals(fake: FakeSlack, channel: str, ts: str) -> list:
    return [e for e in fake.ephemerals() if e.params["channel"] == channel and e.params.get("thread_ts") == ts]


async def test_slack_flood_is_rate_limited_privately_while_another_user_is_answered(slack_bot) -> None:
    fake, core = await slack_bot(limits={"rate_limit_questions": LIMIT, "rate_limit_seconds": WINDOW})
    flooder, calm, channel = "U0FLOOD", "U0CALM", "C0POLICY"
    mentions: list[str] = []  # the flooder's message ts
    commands: list[str] = []  # the flooder's response_urls
    calm_done = asyncio.Event()

    async def flood() -> None:
        for i in range(FLOOD_MAX):
            if calm_done.is_set():
                return
            if i % 2 == 0:
                event = fake.mention(ANSWERABLE, user=flooder, channel=channel)
                mentions.append(event["ts"])
                await fake.send_envelope("events_api", fake.event_body(event))
            else:
                payload = fake.command_payload(f"ask {ANSWERABLE}", user=flooder, channel=channel)
                commands.append(payload["response_url"])
                await fake.send_envelope("slash_commands", payload)
            await asyncio.sleep(0.005)

    flooding = asyncio.create_task(flood())
    await until(lambda: len(mentions) + len(commands) > LIMIT + 2, what="the flood to pass the limit")
    latencies = []
    try:
        for question in CALM_QUESTIONS:
            event = fake.mention(question, user=calm, channel=channel)
            asked_at = time.monotonic()
            await fake.send_envelope("events_api", fake.event_body(event))
            [post] = await until(
                lambda event=event: thread_posts(fake, channel, event["ts"]), what=f"an answer to {question!r}"
            )
            latencies.append(post.at - asked_at)
            assert "Index version" in all_text(post.params)  # a real answer (or decline), not a notice
    finally:
        calm_done.set()
        await flooding
    flood_size = len(mentions) + len(commands)
    assert flood_size >= 2 * len(CALM_QUESTIONS), "the flood lasted through the calm user's questions"

    assert len(latencies) == len(CALM_QUESTIONS) and max(latencies) < PROMPT_SECONDS, latencies
    assert [e for e in fake.ephemerals() if e.params["user"] == calm] == []

    def replies() -> int:
        in_threads = sum(
            len(thread_posts(fake, channel, ts)) + len(thread_ephemerals(fake, channel, ts)) for ts in mentions
        )
        return in_threads + sum(len(fake.responses_to(url)) for url in commands)

    await until(lambda: replies() >= flood_size, what="a reply to every flooded question")
    await asyncio.sleep(0.3)  # anything extra would arrive now
    assert replies() == flood_size  # one reply each, no more
    answered = [ts for ts in mentions if thread_posts(fake, channel, ts)] + [
        url for url in commands if "Index version" in all_text(fake.responses_to(url)[0].body)
    ]
    assert len(answered) == LIMIT
    for ts in mentions:
        if ts not in answered:
            [notice] = thread_ephemerals(fake, channel, ts)  # only the flooder sees it, in the thread
            assert notice.params["user"] == flooder
            assert NOTICE.fullmatch(notice.params["text"]), notice.params
    for url in commands:
        [response] = fake.responses_to(url)
        assert response.body["response_type"] == "ephemeral"
        if url not in answered:
            assert NOTICE.fullmatch(response.body["text"]), response.body
    assert not any("asking quickly" in all_text(p.params) for p in fake.posts())  # nothing public


SLACK_INJECTION = (  # as Slack delivers it: typed markup escaped, picked mentions and links as <…>
    "<!channel> <!here> <!everyone> <@U0OTHER1> <#C0GENERAL|general> <https://evil.example|click me> "
    "&lt;!channel&gt; &lt;@U0OTHER1&gt; &lt;https://evil.example|click me&gt; [click](https://evil.example) "
    "@here ``` *bold* _it_ ~strike~ &gt; quote " + ANSWERABLE
)
SLACK_ECHO = (  # the answer's echo of it: nothing live, broadcasts broken with a zero-width space
    ":speech_balloon: @\u200bchannel @\u200bhere @\u200beveryone @U0OTHER1 #general click me "
    "&lt;!channel&gt; &lt;@U0OTHER1&gt; &lt;https://evil.example|click me&gt; [click](https://evil.example) "
    "@\u200bhere ``` *bold* _it_ ~strike~ &gt; quote " + ANSWERABLE
)


def echo_elements(payload: dict) -> list[str]:
    return [
        e["text"]
        for b in payload.get("blocks", [])
        if b["type"] == "context"
        for e in b["elements"]
        if e["text"].startswith(":speech_balloon:")
    ]


async def test_slack_injection_in_a_question_is_inert(slack_bot) -> None:
    fake, core = await slack_bot(retrieval=ALWAYS_ANSWER)
    question = plain_text(SLACK_INJECTION, BOT_USER_ID)
    expected = core.ask(Question(question))
    assert expected.answered, "precondition: a cited answer, so the citations are checked too"
    web_sources = {
        sp.passage.source for sp in expected.passages if sp.passage.source.startswith(("http://", "https://"))
    }

    mention = fake.mention(SLACK_INJECTION, user="U0ALICE", channel="C0POLICY")
    await slack_event(fake, mention)
    dm = fake.dm(SLACK_INJECTION, user="U0ALICE", channel="D0ALICE")
    await slack_event(fake, dm)
    url = await slack_command(fake, f"ask {SLACK_INJECTION}", "U0ALICE")
    [in_thread] = await until(lambda: thread_posts(fake, "C0POLICY", mention["ts"]), what="the mention's answer")
    [in_dm] = await until(lambda: [p for p in fake.posts() if p.params["channel"] == "D0ALICE"], what="the DM answer")
    [response] = await fake.wait_responses(url)
    assert fake.ephemerals() == []

    for post in (in_thread.params, in_dm.params):
        assert post["unfurl_links"] is False and post["unfurl_media"] is False
    for payload in (in_thread.params, in_dm.params, response.body):
        assert echo_elements(payload) == [SLACK_ECHO]
        shown = all_text(payload)
        # No live Slack markup from the question: the only <…> tokens are our citation links.
        for token in re.findall(r"<([^<>]*)>", shown):
            link, _, label = token.partition("|")
            assert link in web_sources and label, token
        for live in ("<!channel>", "<!here>", "<!everyone>", "<@U0OTHER1>", "<#C0GENERAL", "<https://evil.example"):
            assert live not in shown
        assert not re.search(r"@(channel|here|everyone)\b", shown), "a bare broadcast would be linked"
        # Formatting from the question stays in the echo's own element: it cannot reach our blocks.
        rest = shown.replace(SLACK_ECHO, "")
        for fragment in ("evil.example", "click me", "```", "*bold*", "~strike~", "U0OTHER1"):
            assert fragment not in rest, fragment
        assert "\n— " in rest  # the cited answer itself is there (its citation line)

"""The Slack adapter end to end: real slack-bolt, a real core, a fake Slack over real sockets.

Each test starts a fake Slack and the adapter (`SlackService`, what `serve()` runs) pointed at
it through `slack.api_base_url`; Socket Mode finds the fake's websocket via
`apps.connections.open`, HTTP mode gets requests signed like Slack signs them.
Expected answers come from the same core, never from hard-coded text.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters.slack.blocks import hints_for
from bot.adapters.slack.mrkdwn import escape
from bot.adapters.slack.run import SlackSecrets, SlackService
from bot.app import App
from bot.core import BotCore
from bot.errors import QuestionError
from bot.render.common import lead_citation, supporting_passages
from bot.types import Question
from tests.fakes.slack_server import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    ApiCall,
    FakeSlack,
    all_text,
)

pytestmark = pytest.mark.timeout(30)
ADMIN = "U0ADMIN"
ON_TOPIC = "Who launched the Paris Call for Trust and Security in Cyberspace?"
OFF_TOPIC = "What is the best pizza recipe in Naples?"
BOTH_MODES = pytest.mark.parametrize("mode", ["socket", "http"])


@dataclass
class Bot:
    """The adapter under test and ways to talk to it as Slack would."""

    fake: FakeSlack
    app: App
    service: SlackService
    mode: str
    last_ack: float = 0.0

    @property
    def core(self) -> BotCore:
        return self.app.core

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}/slack/events"

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        team_id: str | None = None,
    ) -> float:
        """Deliver an Events API event; returns how long the ack took."""
        body = self.fake.event_body(event, event_id=event_id, **({"team_id": team_id} if team_id else {}))
        if self.mode == "socket":
            envelope = await self.fake.send_envelope(
                "events_api", body, retry_attempt=retry, retry_reason="timeout" if retry else None
            )
            return (await self.fake.wait_ack(envelope)).elapsed
        status, _, elapsed = await self.fake.post_event(self.url, body, retry_num=retry)
        assert status == 200
        return elapsed

    async def command(self, text: str, *, user: str = "U0ALICE") -> tuple[str, float]:
        """Run the slash command; returns (its response_url, ack seconds)."""
        payload = self.fake.command_payload(text, user=user)
        if self.mode == "socket":
            envelope = await self.fake.send_envelope("slash_commands", payload)
            elapsed = (await self.fake.wait_ack(envelope)).elapsed
        else:
            status, _, elapsed = await self.fake.post_command(self.url, payload)
            assert status == 200
        return payload["response_url"], elapsed

    async def click(self, action: dict[str, Any], *, user: str = "U0ALICE", message: ApiCall | None = None) -> str:
        """Click a button of an ephemeral answer, or of `message` (a post); its response_url.

        How long the ack took is kept in `last_ack`."""
        payload = self.fake.block_action_payload(action, user=user, message=message)
        if self.mode == "socket":
            self.last_ack = (await self.fake.wait_ack(await self.fake.send_envelope("interactive", payload))).elapsed
        else:
            status, _, self.last_ack = await self.fake.post_interaction(self.url, payload)
            assert status == 200
        return payload["response_url"]

    async def answer_to(self, text: str, *, user: str = "U0ALICE") -> dict[str, Any]:
        url, _ = await self.command(text, user=user)
        return (await self.fake.wait_responses(url))[-1].body


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    slack.add_user("U0ALICE")
    slack.add_user(ADMIN)
    yield slack
    await slack.stop()
    assert slack.problems == [], "the fake Slack refused something"


@pytest.fixture
async def start_bot(fake: FakeSlack, make_app: Callable[..., App]) -> AsyncIterator[Callable[..., Any]]:
    services: list[SlackService] = []

    async def start(
        mode: str = "socket",
        app: App | None = None,
        secrets: SlackSecrets | None = None,
        slack: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> Bot:
        slack_cfg = {
            "mode": mode,
            "api_base_url": fake.api_url,
            "host": "127.0.0.1",
            "port": 0,
            "admin_user_ids": [ADMIN],
            **(slack or {}),
        }
        app = app or make_app(slack=slack_cfg, **{"metrics": {"port": 0}, **overrides})
        secrets = secrets or SlackSecrets(BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, None, None)
        service = SlackService(app, secrets, app.ops)  # as serve() wires it
        services.append(service)
        await service.start()
        if mode == "socket":
            await fake.wait_connected()
        return Bot(fake, app, service, mode)

    yield start
    for service in services:
        await service.stop()


def sections(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload.get("blocks", []) if b["type"] == "section"]


def contexts(payload: dict[str, Any]) -> str:
    return "\n".join(e["text"] for b in payload.get("blocks", []) if b["type"] == "context" for e in b["elements"])


def read(mrkdwn: str) -> str:
    """What a person reads in a mrkdwn text: bold markers gone, escapes shown as characters."""
    return mrkdwn.replace("*", "").replace("∗", "*").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_cited_answer(payload: dict[str, Any], core: BotCore, question: str) -> None:
    """What a person sees: the question, then a section led by the core's one-line answer (the
    part that answers in bold), its citation in a context block right under it, the index
    version, then Show passages (when there are other documents) and the vote buttons."""
    expected = core.ask(Question(question))
    assert expected.answered and expected.lead
    blocks = payload["blocks"]
    at = next(i for i, b in enumerate(blocks) if b["type"] == "section")
    assert [b["type"] for b in blocks[: at + 2]][-2:] == ["section", "context"] and blocks[0]["type"] == "context"
    lead = blocks[at]["text"]["text"]
    assert read(lead).endswith(expected.lead)  # a tentative mark may precede it
    if expected.lead_span.strip():
        assert f"*{' '.join(escape(expected.lead_span).split())}*" in lead
    cited = blocks[at + 1]["elements"][0]["text"]
    assert read(re.sub(r"<[^|>]+\|([^>]+)>", r"\1", cited)) == f"— {lead_citation(expected)}"
    assert all_text(payload).count(lead_citation(expected).split(" — ")[0]) == 1  # the title once
    assert expected.index_version in contexts(payload)
    assert expected.lead.split()[0] in payload["text"]
    ids = [el["action_id"] for b in blocks if b["type"] == "actions" for el in b["elements"]]
    assert ids[0] == ("callbot_passages" if supporting_passages(expected) else ids[0])


async def settle(bot: Bot) -> None:
    """Let anything the events under test would wrongly post arrive before counting posts.

    Events are handled concurrently, so a later event's answer proves nothing by itself: the
    sentinel (a fresh question, never cached) round-trips through the core, and a short grace
    period follows. An extra answer to an earlier, duplicate event would take the same path.
    """
    before = len(bot.fake.posts())
    await bot.event(bot.fake.dm(f"{ON_TOPIC} (sentinel {before})", user="U0SENTINEL", channel="D0SENTINEL"))
    await bot.fake.wait_until(
        lambda: any(p.params["channel"] == "D0SENTINEL" for p in bot.fake.posts()[before:]),
        what="the sentinel's answer",
    )
    await asyncio.sleep(0.3)


def not_sentinel(posts: list[ApiCall]) -> list[ApiCall]:
    return [p for p in posts if p.params["channel"] != "D0SENTINEL"]


# -- conversations --------------------------------------------------------------------------------
@BOTH_MODES
async def test_mention_gets_a_threaded_cited_reply(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    event = bot.fake.mention(ON_TOPIC)
    assert await bot.event(event) < 1.0
    post = (await bot.fake.wait_posts(1))[0]
    assert post.params["channel"] == event["channel"] and post.params["thread_ts"] == event["ts"]
    assert post.token == BOT_TOKEN
    assert_cited_answer(post.params, bot.core, ON_TOPIC)


async def test_follow_up_mention_in_a_thread_is_answered_in_that_thread(start_bot) -> None:
    bot = await start_bot()
    root = bot.fake.next_ts()
    await bot.event(bot.fake.mention("Which companies signed the Paris Call?", thread_ts=root))
    post = (await bot.fake.wait_posts(1))[0]
    assert post.params["thread_ts"] == root


async def test_direct_message_is_answered_directly(start_bot) -> None:
    bot = await start_bot()
    await bot.event(bot.fake.dm(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    assert post.params["channel"] == "D0ALICE" and post.params.get("thread_ts") is None
    assert_cited_answer(post.params, bot.core, ON_TOPIC)


async def test_own_messages_other_bots_and_channel_chatter_are_ignored(start_bot) -> None:
    bot = await start_bot()
    fake = bot.fake
    await bot.event(fake.dm(ON_TOPIC, user=BOT_USER_ID, bot_id="B0BOT"))  # our own reply echoed back
    await bot.event(fake.dm(ON_TOPIC, user="U0OTHERBOT", bot_id="B0OTHER", bot_profile={"id": "B0OTHER"}))
    await bot.event(fake.dm(ON_TOPIC, bot_id="B0LEGACY", subtype="bot_message"))
    await bot.event({**fake.dm(ON_TOPIC), "channel_type": "channel", "channel": "C0POLICY"})  # no mention
    await bot.event({**fake.dm(ON_TOPIC), "subtype": "message_changed"})
    await settle(bot)
    assert not_sentinel(fake.posts()) == [] and fake.ephemerals() == []


async def test_same_message_as_mention_and_dm_is_answered_once(start_bot) -> None:
    bot = await start_bot()
    ts = bot.fake.next_ts()
    await bot.event(bot.fake.mention(ON_TOPIC, channel="D0ALICE", ts=ts))
    await bot.event(bot.fake.dm(f"<@{BOT_USER_ID}> {ON_TOPIC}", ts=ts))
    await bot.fake.wait_posts(1)
    await settle(bot)
    assert len(not_sentinel(bot.fake.posts())) == 1


@BOTH_MODES
async def test_a_retried_event_is_answered_once(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    event = bot.fake.mention(ON_TOPIC)
    await bot.event(event, event_id="EvRETRY1")
    await bot.fake.wait_posts(1)
    await bot.event(event, event_id="EvRETRY1", retry=1)
    await bot.event(event, event_id="EvRETRY1", retry=2)
    await settle(bot)
    assert len(not_sentinel(bot.fake.posts())) == 1


@BOTH_MODES
async def test_an_off_topic_question_is_declined(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    expected = bot.core.ask(Question(OFF_TOPIC))
    assert not expected.answered
    await bot.event(bot.fake.mention(OFF_TOPIC))
    post = (await bot.fake.wait_posts(1))[0].params
    assert escape(expected.message) in post["text"]
    suggestions = hints_for(bot.app.settings.slack.command).suggestions()
    assert all(escape(s) in "\n".join(sections(post)) for s in suggestions)
    assert f"`{bot.app.settings.slack.command} principles`" in suggestions[0]  # a command that works on Slack
    assert "[1]" not in all_text(post)


async def test_broadcasts_and_mentions_in_a_question_are_not_echoed(start_bot) -> None:
    bot = await start_bot()
    question = (
        "Does <!channel> or <!here> or <!everyone> or <@U0OTHER> know who launched &lt;!channel&gt; the Paris Call?"
    )
    await bot.event(bot.fake.mention(question))
    post = (await bot.fake.wait_posts(1))[0].params
    url, _ = await bot.command(f"ask {question}")
    response = (await bot.fake.wait_responses(url))[-1].body
    for payload in (post, response):
        text = all_text(payload)
        assert "launched" in text, "the question is echoed..."
        assert "&lt;!channel&gt;" in text, "...with the literal markup escaped"
        for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<@U0OTHER>", "@channel", "@here", "@everyone"):
            assert forbidden not in text


async def test_a_long_answer_stays_within_block_limits(start_bot, knowledge_copy) -> None:
    sentence = (
        "The Paris Call sets out a long commitment on election integrity in cyberspace, number {}, which "
        "signatories repeat at length so that this sentence alone runs well past two hundred characters. "
    )
    (knowledge_copy / "zz-long.md").write_text(
        '---\ntitle: "A very long statement"\npublisher: "Test"\ndate: "2020-01-01"\n---\n'
        + "".join(sentence.format(i) for i in range(150)),
        encoding="utf-8",
    )
    bot = await start_bot(retrieval={"top_k": 20}, chunking={"sentences": 20, "overlap": 0, "max_chars": 10_000})
    question = "What long commitment on election integrity does the Paris Call set out?"
    answer = bot.core.ask(Question(question))
    assert max(len(p.passage.text) for p in answer.passages) > 3000, "the test needs a passage over the limit"
    assert len(answer.passages) > 3
    await bot.event(bot.fake.mention(question))
    post = (await bot.fake.wait_posts(1))[0].params
    assert len(post["blocks"]) <= 50
    assert all(len(s) <= 3000 for s in sections(post))  # and the fake checked every limit (teardown)


async def test_rate_limited_and_too_long_questions_get_private_notices(start_bot) -> None:
    bot = await start_bot(limits={"rate_limit_questions": 1, "rate_limit_seconds": 60, "max_question_chars": 80})
    await bot.event(bot.fake.mention(ON_TOPIC, user="U0BOB"))
    await bot.fake.wait_posts(1)
    await bot.event(bot.fake.mention(ON_TOPIC, user="U0BOB"))
    notice = (await bot.fake.wait_until(lambda: bot.fake.ephemerals(), what="a private notice"))[0].params
    assert notice["user"] == "U0BOB" and "try again in" in notice["text"]
    await bot.event(bot.fake.mention("why " * 40, user="U0CAROL"))
    await bot.fake.wait_until(lambda: len(bot.fake.ephemerals()) == 2, what="the too-long notice")
    assert "80" in bot.fake.ephemerals()[1].params["text"]
    assert len(bot.fake.posts()) == 1


async def test_slack_429_is_retried_after_retry_after(start_bot) -> None:
    bot = await start_bot()
    bot.fake.rate_limit("chat.postMessage", 0)
    await bot.event(bot.fake.dm(ON_TOPIC))
    post = (await bot.fake.wait_posts(1))[0]
    assert_cited_answer(post.params, bot.core, ON_TOPIC)
    attempts = bot.fake.calls_to("chat.postMessage")
    assert len(attempts) == 2 and attempts[0].params.get("_rate_limited")


# -- the slash command ----------------------------------------------------------------------------
@BOTH_MODES
async def test_principles_and_principle_n(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    url, ack_seconds = await bot.command("principles")
    assert ack_seconds < 1.0
    listing = (await bot.fake.wait_responses(url))[-1].body
    assert listing["response_type"] == "ephemeral"
    for p in bot.core.principles():
        assert f"*{p.number}. {escape(p.title)}*" in all_text(listing)
    eight = await bot.answer_to("principle 8")
    p8 = bot.core.principle(8)
    assert escape(p8.title) in all_text(eight) and escape(p8.text) in "\n".join(sections(eight))
    with pytest.raises(QuestionError) as refused:
        bot.core.principle(12)
    twelve = await bot.answer_to("principle 12")
    assert twelve["text"] == escape(str(refused.value)) and not any(b["type"] == "header" for b in twelve["blocks"])


@BOTH_MODES
async def test_sources_and_ask(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    sources = await bot.answer_to("sources")
    for src in bot.core.sources():
        assert escape(src.title) in all_text(sources)
    assert bot.core.index_version in contexts(sources)
    answer = await bot.answer_to(f"ask {ON_TOPIC}")
    assert answer["response_type"] == "ephemeral"
    assert_cited_answer(answer, bot.core, ON_TOPIC)
    help_text = all_text(await bot.answer_to("help"))
    assert "principle N" in help_text and "reindex" not in help_text
    assert "reindex" in all_text(await bot.answer_to("help", user=ADMIN))


@BOTH_MODES
async def test_share_button_posts_the_answer_in_the_channel(start_bot, mode: str) -> None:
    bot = await start_bot(mode)
    answer = await bot.answer_to(f"ask {ON_TOPIC}")
    [button] = [
        el for b in answer["blocks"] if b["type"] == "actions" for el in b["elements"] if "share" in el["action_id"]
    ]
    url = await bot.click({"action_id": button["action_id"], "value": button["value"]})
    shared, delete = await bot.fake.wait_responses(url, 2)
    assert shared.body["response_type"] == "in_channel" and delete.body.get("delete_original") is True
    assert_cited_answer(shared.body, bot.core, ON_TOPIC)
    assert "<@U0ALICE>" in contexts(shared.body)
    buttons = [el["action_id"] for b in shared.body["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert buttons == ["callbot_passages", "feedback_up", "feedback_down"], (
        "no second Share button; the channel can vote"
    )


async def test_bad_signature_and_stale_timestamp_get_401_and_nothing_is_posted(start_bot) -> None:
    bot = await start_bot("http")  # signatures exist only in HTTP mode
    body = bot.fake.event_body(bot.fake.mention(ON_TOPIC))
    status, _, _ = await bot.fake.post_event(bot.url, body, secret="not-the-secret")
    assert status == 401
    status, _, _ = await bot.fake.post_event(bot.url, body, timestamp=int(time.time()) - 301)
    assert status == 401
    forged = bot.fake.command_payload("principles")
    status, _, _ = await bot.fake.post_command(bot.url, forged, signature="v0=" + "0" * 64)
    assert status == 401
    await settle(bot)
    assert not_sentinel(bot.fake.posts()) == [] and bot.fake.responses == []
    status, _, _ = await bot.fake.post_event(bot.url, body)  # the same request, properly signed
    assert status == 200
    await bot.fake.wait_until(lambda: len(not_sentinel(bot.fake.posts())) == 1, what="the signed request's answer")


async def test_http_url_verification_challenge(start_bot) -> None:
    bot = await start_bot("http")
    body = {"token": "t", "challenge": "c-123", "type": "url_verification"}
    status, text, _ = await bot.fake.post_signed(bot.url, json.dumps(body), "application/json")
    assert status == 200 and json.loads(text) == {"challenge": "c-123"}


async def test_http_oauth_install_then_events_use_the_installed_token(start_bot, fake: FakeSlack, tmp_path) -> None:
    import aiohttp

    from tests.fakes.slack_server import CLIENT_ID, CLIENT_SECRET

    secrets = SlackSecrets(None, None, SIGNING_SECRET, CLIENT_ID, CLIENT_SECRET)
    bot = await start_bot("http", secrets=secrets, slack={"installation_db": str(tmp_path / "inst.sqlite3")})
    base = f"http://127.0.0.1:{bot.service.port}"
    fake.add_oauth_code("code-1", "T0OTHER", "xoxb-installed", "U0BOT2", "B0BOT2")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/slack/install") as resp:
            assert resp.status == 200
            page = await resp.text()
            state = re.search(r"state=([\w-]+)", page).group(1)
            assert f"client_id={CLIENT_ID}" in page and fake.base_url in page
            cookie = resp.headers["Set-Cookie"].split(";", 1)[0]
        redirect = f"{base}/slack/oauth_redirect?code=code-1&state={state}"
        async with http.get(redirect, headers={"Cookie": cookie}) as resp:
            assert resp.status == 200, await resp.text()
    assert fake.calls_to("oauth.v2.access")
    await bot.event(fake.mention(ON_TOPIC, bot_user_id="U0BOT2"), team_id="T0OTHER")
    post = (await fake.wait_posts(1))[0]
    assert post.token == "xoxb-installed"
    assert_cited_answer(post.params, bot.core, ON_TOPIC)

"""Slack adapter pieces that need no network: text in/out, Block Kit limits, dedup, parsing, secrets."""

from __future__ import annotations

import pytest

from bot.adapters.slack.answers import answer_message, passages_message
from bot.adapters.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SHARE_ACTION,
    gaps_message,
    principles_message,
    sources_message,
)
from bot.adapters.slack.command import parse
from bot.adapters.slack.dedup import EventDedup, event_keys
from bot.adapters.slack.mrkdwn import clip, escape, plain_text
from bot.adapters.slack.run import SlackStartupError, read_secrets
from bot.config import SlackConfig, parse_settings
from bot.errors import ConfigError
from bot.ops.gaps import Gap
from bot.types import Answer, Passage, Principle, ScoredPassage, SourceInfo
from tests.fakes.slack_server import all_text, validate_blocks, validate_message


def test_plain_text_reduces_slack_markup_to_the_typed_words() -> None:
    raw = (
        "<@U0BOT> what did <@U123|bob> say in <#C9|policy> about <https://x.org/a?b=1&amp;c=2|the call> &amp; <!here>?"
    )
    assert plain_text(raw, "U0BOT") == "what did @bob say in #policy about the call & @here?"
    assert plain_text("&lt;!channel&gt; is literal", None) == "<!channel> is literal"
    assert plain_text("<!subteam^S1|@policy-team> hi") == "@policy-team hi"


@pytest.mark.parametrize(
    "dangerous", ["<!channel>", "<!here>", "<!everyone>", "<@U0OTHER>", "<#C1>", "@channel", "@here"]
)
def test_escape_never_lets_a_mention_or_broadcast_through(dangerous: str) -> None:
    out = escape(f"hello {dangerous} & bye")
    assert "<" not in out and ">" not in out
    assert "&amp;" in out
    for word in ("@channel", "@here", "@everyone"):
        assert word not in out


def test_clip_never_cuts_inside_an_entity() -> None:
    text = escape("a" * 10 + "<" * 50)
    for limit in range(12, 40):
        cut = clip(text, limit)
        assert len(cut) <= limit
        assert not cut.rstrip("…").endswith(("&", "&l", "&lt"))


def _passage(i: int, text: str, source: str = "doc.md") -> ScoredPassage:
    passage = Passage(f"p{i}", f"d{i}", 0, text, f"Title {i} <b>", "Publisher & Co", "2018-11-12", source)
    best = text[len(text) // 2 : len(text) // 2 + 200]
    return ScoredPassage(passage, 1.0 / (i + 1), best)


def test_a_long_answer_stays_within_block_kit_limits() -> None:
    long_text = ("The Paris Call principle about <critical> infrastructure & elections. " * 120).strip()
    assert len(long_text) > 3000 * 2
    answer = Answer("q", True, tuple(_passage(i, long_text) for i in range(60)), "v1")
    message = answer_message(answer, "why? " * 2000, share_value="ask " + "x" * 3000)
    assert validate_message(message.text, message.blocks) == []
    assert len(message.blocks) <= 50
    assert "<critical>" not in all_text(message.kwargs())


def test_buttons_are_kept_when_a_long_answer_is_cut_to_50_blocks() -> None:
    long_text = ("The Paris Call principle about <critical> infrastructure & elections. " * 120).strip()
    answer = Answer("q", True, tuple(_passage(i, long_text) for i in range(80)), "v1")
    message = answer_message(answer, "why?", share_value="ask why?", feedback_id="abcdefghijkl")
    assert validate_message(message.text, message.blocks) == [] and len(message.blocks) == 50
    assert [el["action_id"] for el in message.blocks[-1]["elements"]] == [SHARE_ACTION, FEEDBACK_UP, FEEDBACK_DOWN]
    assert "v1" in all_text({"blocks": message.blocks[-2:]}), "the footer with the version is kept too"


def test_a_declined_answer_gets_feedback_buttons_but_no_share() -> None:
    declined = Answer("pizza?", False, (), "v1", message="I can't answer that from my documents.")
    message = answer_message(declined, "pizza?", share_value="ask pizza?", feedback_id="abcdefghijkl")
    assert validate_blocks(message.blocks) == []
    assert [el["action_id"] for el in message.blocks[-1]["elements"]] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert {el["value"] for el in message.blocks[-1]["elements"]} == {"abcdefghijkl"}
    bare = answer_message(declined, "pizza?", share_value="ask pizza?")  # no feedback id: no buttons
    assert [b["type"] for b in bare.blocks] == ["context", "section", "context"]


def test_gaps_message_escapes_questions_and_fits_slack() -> None:
    gaps = [
        Gap(f"<!channel> question {i} " + "x" * 4000, 100 - i, ("<@U0OTHER> other wording",) * 5, i, 1)
        for i in range(60)
    ]
    message = gaps_message(gaps, "/paris-call")
    assert validate_message(message.text, message.blocks) == [] and len(message.blocks) <= 50
    text = all_text(message.kwargs())
    assert "<!channel>" not in text and "<@U0OTHER>" not in text and "@channel" not in text
    assert "*100×*" in text and "declined 0 · voted not helpful 1" in text
    assert message.blocks[-1]["type"] == "context" and "gaps N" in message.blocks[-1]["elements"][0]["text"]
    assert "No gaps so far" in gaps_message([], "/paris-call").text


def test_answer_bolds_the_best_sentence_and_cites_each_passage() -> None:
    text = "First sentence here. The best answering sentence is this one. A last sentence."
    scored = ScoredPassage(
        Passage("p", "d", 0, text, "T", "P", "2019-01-01", "https://example.org/a&b"),
        0.9,
        "The best answering sentence is this one.",
    )
    message = answer_message(Answer("q", True, (scored,), "v42"), "question?", share_value="ask question?")
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert sections == ["*[1]* First sentence here. *The best answering sentence is this one.* A last sentence."]
    footer = [b for b in message.blocks if b["type"] == "context"][-1]
    assert footer["elements"][0]["text"] == "*[1]* <https://example.org/a&amp;b|T> — P, 2019-01-01"
    assert "v42" in footer["elements"][1]["text"]
    assert message.blocks[-1]["elements"][0]["value"] == "ask question?"
    assert validate_blocks(message.blocks) == []


def test_other_messages_are_valid_blocks() -> None:
    principles = [Principle(n, f"Title {n}", "text " * 400, "Src", "Pub", "2018") for n in range(1, 10)]
    assert validate_blocks(principles_message(principles, "/paris-call").blocks) == []
    sources = [SourceInfo(f"d{i}", f"Doc {i} " * 20, "Pub", "2020", f"https://e.org/{i}", 3) for i in range(400)]
    message = sources_message(sources, "v1")
    assert validate_blocks(message.blocks) == [] and len(message.blocks) <= 50


def test_dedup_remembers_for_the_ttl_then_forgets() -> None:
    now = [0.0]
    dedup = EventDedup(ttl=600, clock=lambda: now[0])
    assert dedup.first_time("event:E1", "msg:C:1")
    assert not dedup.first_time("event:E1")  # a retry
    assert not dedup.first_time("event:E2", "msg:C:1")  # same message, other event type
    now[0] = 599.0
    assert not dedup.first_time("event:E1")
    now[0] = 599.0 + 601
    assert dedup.first_time("event:E1")


def test_event_keys_cover_event_id_and_message() -> None:
    assert event_keys({"event_id": "Ev1"}, {"channel": "C", "ts": "1.2"}) == ["event:Ev1", "msg:C:1.2"]


def test_dedup_ttl_is_at_least_ten_minutes() -> None:
    with pytest.raises(ConfigError):
        parse_settings({"slack": {"dedup_ttl_seconds": 60}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("principle 8", ("principle", "8")),
        ("PRINCIPLES", ("principles", "")),
        ("ask Who signed?", ("ask", "Who signed?")),
        ("Who signed the Call?", ("ask", "Who signed the Call?")),
        ("", ("help", "")),
        ("remove 004-bab", ("remove", "004-bab")),
        ("gaps 5", ("gaps", "5")),
    ],
)
def test_subcommand_parsing(text: str, expected: tuple[str, str]) -> None:
    assert parse(text) == expected


def test_secrets_missing_or_wrong_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SlackStartupError, match="SLACK_BOT_TOKEN is not set"):
        read_secrets(SlackConfig())
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(SlackStartupError, match="SLACK_APP_TOKEN is not set"):
        read_secrets(SlackConfig())
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-wrong-kind")
    with pytest.raises(SlackStartupError, match="should start with xapp-"):
        read_secrets(SlackConfig())
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert read_secrets(SlackConfig()).app_token == "xapp-1"
    with pytest.raises(SlackStartupError, match="SLACK_SIGNING_SECRET is not set"):
        read_secrets(SlackConfig(mode="http"))
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    with pytest.raises(SlackStartupError, match="both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        read_secrets(SlackConfig(mode="http"))
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "c")
    assert read_secrets(SlackConfig(mode="http")).oauth
    with pytest.raises(SlackStartupError, match="needs slack.mode: http"):
        read_secrets(SlackConfig())


def test_manifest_matches_what_the_adapter_uses() -> None:
    import yaml

    from bot.adapters.slack.oauth import BOT_SCOPES
    from tests.conftest import REPO

    manifest = yaml.safe_load((REPO / "slack-manifest.yaml").read_text(encoding="utf-8"))
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [SlackConfig().command]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_an_answer_leads_with_its_line_then_citation_version_and_buttons() -> None:
    passage = Passage(
        "d:0001:abcd1234", "d", 1, "Intro.\nThe Call was launched by Macron.\n- a bullet", "T", "P", "2018", "x.md"
    )
    other = Passage("e:0002:beef0001", "e", 2, "Other text.\n- one\n- two", "U", "Q", "2019", "https://e.org/u")
    answer = Answer(
        "who?",
        True,
        (ScoredPassage(passage, 1.0, "The Call was launched by Macron."), ScoredPassage(other, 0.5, "- one")),
        "v9",
        lead="The Call was launched by Macron.",
        lead_span="Macron",
        lead_passage_id=passage.passage_id,
    )
    message = answer_message(answer, "who?", feedback_id="abcdefghijkl")
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["context", "section", "context", "context", "actions"]
    assert message.blocks[1]["text"]["text"] == "The Call was launched by *Macron*."
    assert message.blocks[2]["elements"][0]["text"] == "— T — P, 2018"
    assert "v9" in message.blocks[3]["elements"][-1]["text"]
    [passages, up, down] = message.blocks[4]["elements"]
    assert (passages["action_id"], passages["value"]) == ("callbot_passages", "0002-beef0001~12+5")
    assert validate_message(message.text, message.blocks) == []
    shown = passages_message([other])
    assert [b["type"] for b in shown.blocks] == ["context", "section", "context"]
    assert shown.blocks[1]["text"]["text"] == "Other text.\n- one\n- two"  # newlines kept
    assert shown.blocks[2]["elements"][0]["text"] == "— <https://e.org/u|U> — Q, 2019"

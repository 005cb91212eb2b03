"""Discord rendering, limits and wiring pieces that need no connection."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.adapters.discord import limits, render
from bot.adapters.discord.admin import is_admin
from bot.adapters.discord.client import build_client, build_intents, configure_endpoints
from bot.adapters.discord.conversations import looks_like_question, strip_mentions_of
from bot.adapters.discord.invite import invite_url
from bot.config import DiscordConfig
from bot.errors import ConfigError
from bot.types import Answer, Passage, ScoredPassage

WORD = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
SPAN = st.tuples(st.lists(WORD, min_size=1, max_size=6), st.booleans())  # words, bold?


def scored(text: str, best: str, **kw) -> ScoredPassage:
    passage = Passage(
        "d#0",
        "d",
        0,
        text,
        kw.get("title", "A title"),
        kw.get("publisher", "Pub"),
        kw.get("date", "2018-11-12"),
        kw.get("source", "https://example.org/a"),
    )
    return ScoredPassage(passage, 1.0, best)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(SPAN, min_size=1, max_size=12), min_size=1, max_size=8), st.integers(20, 300))
# Found by CI: a hard cut fell between the two stars of a closing `**`.
@example(
    [
        [
            (["a", "a"], False),
            (["a", "a", "a", "a", "a"], False),
            (["aa", "aa", "aaaaaaa"], True),
            (["a", "a", "aaaaaa"], False),
            (["aa", "aa", "aaaaaaa"], True),
        ]
    ],
    20,
)
def test_split_text_respects_the_limit_and_keeps_bold_balanced(lines, limit) -> None:
    text = "\n".join(
        " ".join(render.bold(" ".join(words)) if is_bold else " ".join(words) for words, is_bold in line)
        for line in lines
    )
    chunks = limits.split_text(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert all(c.count("**") % 2 == 0 for c in chunks)
    assert not any("****" in c for c in chunks)  # no empty bold span made by a cut
    # Nothing lost or added but whitespace and balancing `**` (a giant word may be cut in two).
    assert "".join("".join(chunks).replace("**", "").split()) == "".join(text.replace("**", "").split())


def test_pack_embeds_respects_count_and_total() -> None:
    embeds = [limits.make_embed(title="t" * 300, description="d" * 1500) for _ in range(25)]
    messages = limits.pack_embeds(embeds)
    assert sum(len(m.embeds) for m in messages) == 25
    for m in messages:
        assert len(m.embeds) <= limits.EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in m.embeds) <= limits.EMBED_TOTAL
        assert all(len(e.title) <= limits.TITLE_LIMIT for e in m.embeds)


def test_excerpt_bolds_the_best_sentence_and_stays_short() -> None:
    before, best, after = "Intro words here. " * 80, "The Call was launched in Paris.", " More context follows." * 80
    text = render.excerpt(scored(before + best + after, best), limit=300)
    assert f"**{best}**" in text
    assert len(text.replace("**", "").replace("\\", "")) <= 300 + 2
    assert text.startswith("…") and text.endswith("…")
    missing = render.excerpt(scored("No best sentence inside.", "absent"), limit=300)
    assert missing == "**No best sentence inside.**"


def test_user_and_document_text_is_made_inert() -> None:
    assert render.safe("@everyone **now**") == "@\u200beveryone \\*\\*now\\*\\*"
    mention = "<@123456789012345678>"
    assert mention not in render.safe(f"hi {mention}")


def test_answer_rendering_cites_and_footers() -> None:
    sp = scored("Before. The best one. After.", "The best one.", title="Doc *title*", publisher="WEF")
    answer = Answer("q?", True, (sp,), "v42")
    [message] = render.answer_messages(answer, echo_question=True)
    [embed] = message.embeds
    assert embed.title == "1. Doc *title*" and embed.url == "https://example.org/a"
    assert "**The best one.**" in embed.description and "— *Doc \\*title\\* — WEF, 2018-11-12*" in embed.description
    assert "v42" in embed.footer.text and embed.author.name == "Q: q?"


def test_decline_names_slash_commands() -> None:
    answer = Answer(
        "cake?",
        False,
        (),
        "v1",
        message="Not covered.",
        suggestion_kind="topics",
    )
    [message] = render.decline_messages(answer)
    assert message.content.startswith("Not covered.")
    assert (
        "`/principles`" in message.content and "`/principle 8`" in message.content and "`/sources`" in message.content
    )
    assert "`principles`" not in message.content  # no CLI or Slack wording on Discord
    twelve = replace(answer, message="The Call has 9 principles.", suggestion_kind="principles")
    [message] = render.decline_messages(twelve)
    assert message.content == "The Call has 9 principles. `/principles` lists them all."


def test_question_detection_and_mention_stripping() -> None:
    assert looks_like_question("who signed it") and looks_like_question("the US signed?")
    assert not looks_like_question("thanks, very useful")
    assert strip_mentions_of("<@42> hello <@!42> there <@7>", 42) == "hello there <@7>"


def test_admin_check_by_user_id_and_role() -> None:
    cfg = DiscordConfig(admin_user_ids=[1], admin_role_ids=[50])

    class Role:
        def __init__(self, rid: int) -> None:
            self.id = rid

    class Person:
        def __init__(self, uid: int, roles=()) -> None:
            self.id, self.roles = uid, [Role(r) for r in roles]

    assert is_admin(Person(1), cfg) and is_admin(Person(2, [50]), cfg)
    assert not is_admin(Person(2, [51]), cfg) and not is_admin(Person(3), DiscordConfig())


def test_invite_url_asks_for_the_scopes_and_permissions_used() -> None:
    url = urlparse(invite_url(123))
    query = parse_qs(url.query)
    assert query["client_id"] == ["123"] and query["scope"] == ["bot applications.commands"]
    perms = discord.Permissions(int(query["permissions"][0]))
    assert perms.send_messages and perms.send_messages_in_threads and perms.embed_links
    assert perms.read_message_history and perms.view_channel
    assert not perms.administrator and not perms.mention_everyone and not perms.manage_messages


def test_intents_and_client_kind() -> None:
    assert not build_intents(DiscordConfig()).message_content
    assert build_intents(DiscordConfig(auto_answer_channel_ids=[5])).message_content
    assert type(build_client(DiscordConfig())) is discord.Client
    sharded = build_client(DiscordConfig(shard_count=3))
    assert isinstance(sharded, discord.AutoShardedClient) and sharded.shard_count == 3
    assert build_client(DiscordConfig()).allowed_mentions.to_dict() == {"parse": []}
    with pytest.raises(ConfigError):
        build_client(DiscordConfig(shard_count=0))


def test_endpoints_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    configure_endpoints(DiscordConfig(api_base_url="http://127.0.0.1:9/api/v10/", gateway_url="ws://127.0.0.1:9/gw"))
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    assert yarl.URL("ws://127.0.0.1:9/gw") == DiscordWebSocket.DEFAULT_GATEWAY


def _answered(**kw) -> Answer:
    sp = scored("Intro. The Call was launched by **Macron** in Paris.\n- next bullet", "The Call was launched")
    fields = dict(lead="The Call was launched by Emmanuel Macron in Paris.", lead_span="Emmanuel Macron")
    fields.update(kw)
    return Answer("who launched it?", True, (sp,), "v7", lead_passage_id="d#0", **fields)


def test_the_answer_embed_leads_with_the_answer_then_its_citation() -> None:
    [message] = render.answer_messages(_answered(), echo_question=True)
    [embed] = message.embeds
    answer_line, cited = embed.description.split("\n\n")
    assert answer_line == "The Call was launched by **Emmanuel Macron** in Paris."
    assert cited == "— *A title — Pub, 2018-11-12* · <https://example.org/a>"
    assert embed.footer.text == "Index version v7" and embed.author.name == "Q: who launched it?"
    assert embed.title is None  # the title is shown once, in the citation
    tentative = render.answer_embed(_answered(tentative=True))
    assert tentative.description.startswith(render.HINTS.closest + "The Call")


def test_a_bullet_after_the_bold_sentence_keeps_its_own_line() -> None:
    text = "The Call lists:\n- Preventing attacks on infrastructure;\n- Preventing interference in elections;"
    shown = render.excerpt(scored(text, "Preventing attacks on infrastructure;"))
    assert (
        shown
        == "The Call lists:\n\\- **Preventing attacks on infrastructure;**\n\\- Preventing interference in elections;"
    )


def test_a_giant_answer_line_is_cut_without_leaving_bold_open() -> None:
    giant = "word " * 1500 + "the answer"
    embed = render.answer_embed(_answered(lead=giant, lead_span="the answer"))
    assert len(embed.description) <= limits.DESCRIPTION_LIMIT and embed.description.count("**") == 0
    assert "— *A title — Pub, 2018-11-12*" in embed.description  # the citation survives the cut

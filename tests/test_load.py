"""The load driver (tests/support/load/, run by benchmarks/load.py) at CI size: both adapters, real sockets, a rebuild
in the middle, every question answered exactly once and nothing refused or logged as an error.

The last two tests break the bot on purpose (a reply sent twice, a rate limit too low) to
show the driver notices: a load test that cannot fail proves nothing.
"""

from __future__ import annotations

import discord
import pytest
from discord.gateway import DiscordWebSocket

import bot.adapters.discord.delivery as discord_delivery
from bot.adapters.slack.reply import Reply as SlackReply
from tests.support.load.driver import run_load
from tests.support.load.results import ANSWERED, DECLINED, LoadConfig, format_report

pytestmark = pytest.mark.timeout(60)


async def test_load_every_question_answered_exactly_once_through_a_rebuild(tmp_path) -> None:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    cfg = LoadConfig(
        users=8, questions=5, fake_embedder=True, workdir=tmp_path, settle_seconds=0.5, time_limit=40, answer_timeout=10
    )
    report = await run_load(cfg)
    text = format_report(report)
    assert report.ok, text
    assert set(report.platforms) == {"discord", "slack"}
    for p in report.platforms.values():
        assert p.sent == p.planned == 40, text
        assert p.errors == [], text
        routes = {a.route for a in p.asked}
        assert routes == ({"mention", "/ask"} if p.platform == "discord" else {"mention", "dm", "command"})
        users = {a.user for a in p.asked}
        assert len(users) == 8  # distinct users, each with its own rate-limit budget
        for a in p.asked:
            assert len(a.replies) == 1, (a, text)
            assert a.replies[0].kind in (ANSWERED, DECLINED)
            assert a.replies[0].at >= a.sent_at
        assert len(p.latencies) == 40 and max(p.latencies) < 10
        assert p.acks and max(p.acks) < 3.0  # Slack envelopes / Discord /ask callbacks, within 3 s
        assert sum(1 for a in p.asked if a.first.kind == ANSWERED) > 0  # not all declines
    rebuild = report.rebuild
    assert rebuild is not None and rebuild.ok, text
    assert rebuild.new_version != rebuild.old_version
    all_asked = [a for p in report.platforms.values() for a in p.asked]
    # The rebuild ran in the middle: questions were asked before it started and after.
    assert 0 < rebuild.after_questions < len(all_asked)
    assert any(a.sent_at < rebuild.started_at for a in all_asked)
    assert any(a.sent_at > rebuild.started_at for a in all_asked)
    # Answers carry the version that served them (checked by the driver; at least the old one seen).
    assert rebuild.old_version in report.versions()
    # The fake embedder does not depend on the batch: one text, one version, one outcome.
    assert report.inconsistent() == {}
    # The driver restores discord.py's process-wide endpoints.
    assert (base, gateway) == (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert "OK: every question answered exactly once" in text


async def test_load_reports_duplicate_replies(tmp_path, monkeypatch) -> None:
    """An adapter that answers twice fails the run, on each platform."""
    real_reply, real_public = discord_delivery.reply, SlackReply.public

    async def reply_twice(message, outgoing):
        await real_reply(message, outgoing)
        return await real_reply(message, outgoing)

    async def public_twice(self, message):
        await real_public(self, message)
        await real_public(self, message)

    monkeypatch.setattr(discord_delivery, "reply", reply_twice)
    monkeypatch.setattr(SlackReply, "public", public_twice)
    report = await run_load(
        LoadConfig(
            users=2,
            questions=3,
            fake_embedder=True,
            workdir=tmp_path,
            rebuild=False,
            settle_seconds=0.3,
            time_limit=30,
            answer_timeout=5,
        )
    )
    assert not report.ok
    discord_, slack = report.platforms["discord"], report.platforms["slack"]
    # Discord: mentions (questions 0 and 2 of each user) go through delivery.reply; /ask does not.
    assert discord_.duplicates == 4 and discord_.unanswered == 0
    # Slack: mentions and DMs post publicly (questions 0 and 1); the slash command responds.
    assert slack.duplicates == 4 and slack.unanswered == 0
    assert "FAILED" in format_report(report)


async def test_load_reports_rate_limited_questions(tmp_path, monkeypatch) -> None:
    """A limiter that refuses legitimate questions shows up as errors and unanswered questions."""
    import tests.support.load.driver as load

    real = load.make_settings

    def too_strict(root, cfg, platform_cfg):
        settings = real(root, cfg, platform_cfg)
        return settings.with_overrides(limits={**settings.limits.model_dump(), "rate_limit_questions": 2})

    monkeypatch.setattr(load, "make_settings", too_strict)
    report = await run_load(
        LoadConfig(
            users=2,
            questions=3,
            fake_embedder=True,
            workdir=tmp_path,
            rebuild=False,
            settle_seconds=0.3,
            time_limit=30,
            answer_timeout=1.5,
        )
    )
    assert not report.ok  # (a refused mention gets a DM the driver cannot tie to it: it waits 1.5 s)
    for p in report.platforms.values():
        assert p.unanswered == 2, format_report(report)  # the third question of each user
        notices = [e for e in p.errors if "try again in" in e or "private" in e]
        assert notices, p.errors

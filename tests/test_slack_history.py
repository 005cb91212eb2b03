"""How a Slack conversation's messages become earlier turns (`bot.adapters.slack.history`)."""

from __future__ import annotations

from bot.adapters.slack.history import turns_from
from bot.config import ConversationConfig
from bot.types import Turn

BOT = "U0BOT"
CFG = ConversationConfig()


def msg(ts: float, text: str, user: str = "U0ALICE", **extra: str) -> dict:
    return {"ts": f"{ts:.6f}", "text": text, "user": user, **extra}


def test_questions_are_paired_with_the_bots_replies() -> None:
    messages = [
        msg(100, f"<@{BOT}> who launched the call?"),
        msg(101, "Emmanuel Macron launched it.", user=BOT, bot_id="B0BOT"),
        msg(102, "nice"),  # people talking in the thread: a turn without an answer
        msg(103, "what about china?"),
    ]
    assert turns_from(messages, "103.000000", BOT, CFG) == (
        Turn("who launched the call?", "Emmanuel Macron launched it."),
        Turn("nice"),
    )


def test_a_long_gap_ends_the_conversation() -> None:
    gap = CFG.max_age_minutes * 60 + 1
    messages = [msg(100, "old question"), msg(101, "old answer", user=BOT), msg(101 + gap, "new question")]
    assert turns_from(messages, f"{102 + gap:.6f}", BOT, CFG) == (Turn("new question"),)
    assert turns_from(messages[:2], f"{102 + gap:.6f}", BOT, CFG) == ()


def test_turns_are_bounded_and_other_bots_skipped() -> None:
    messages = [msg(100 + n, f"question {n}") for n in range(10)]
    messages.append(msg(111, "a reminder", user="U0OTHER", bot_id="B0OTHER"))
    turns = turns_from(messages, "200.000000", BOT, CFG)
    assert [t.question for t in turns] == [f"question {n}" for n in range(6, 10)]
    assert turns_from(messages, "200.000000", BOT, ConversationConfig(max_turns=0)) == ()


def test_later_messages_and_edits_are_not_read() -> None:
    messages = [msg(100, "before"), msg(100.5, "edited", subtype="message_changed"), msg(300, "after")]
    assert turns_from(messages, "200.000000", BOT, CFG) == (Turn("before"),)

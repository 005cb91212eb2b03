"""Core results to Block Kit messages, each with a plain `text` fallback, within Slack's limits.

Slack refuses a section over 3,000 characters or a message over 50 blocks, and shows the
`text` fallback in notifications; every builder here returns a `Message` that respects both.
Trailing blocks (footer, buttons) are reserved first, so cutting a long message never drops
the buttons people vote or share with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.adapters.slack.mrkdwn import bold, clip, escape, link
from bot.render.common import about_line, citation, decline_text, split_on_best, truncate
from bot.types import Answer, Passage, Principle, SourceInfo

if TYPE_CHECKING:  # bot.ops.gaps imports numpy; rendering needs only the type
    from bot.ops.gaps import Gap

MAX_BLOCKS = 50
MAX_TEXT = 3000  # section and context text, and our fallback text
MAX_HEADER = 150
MAX_BUTTON_VALUE = 2000
SHARE_ACTION = "callbot_share"
FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
Block = dict[str, Any]
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


@dataclass(frozen=True)
class Message:
    """What chat.postMessage / respond take: fallback text plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, MAX_TEXT) or " "}}


def context(*mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, MAX_TEXT)} for t in mrkdwn[:10] if t]}


def header(plain: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(plain, MAX_HEADER), "emoji": True}}


def fit(blocks: list[Block], note: str = "", tail: Sequence[Block] = ()) -> list[Block]:
    """`blocks` then `tail` in at most 50 blocks; `tail` is always kept, and when `blocks`
    are cut, the last one kept says so."""
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [context(note or "…more than fits in one Slack message.")]
    return blocks + list(tail)


def notice(text: str) -> Message:
    """A one-line message built from text we did not write (errors naming files, etc.)."""
    safe = clip(escape(text), MAX_TEXT)
    return Message(safe, [section(safe)])


def _passage_mrkdwn(before: str, best: str, after: str) -> str:
    def esc(part: str) -> str:
        return escape(" ".join(part.split())).replace("*", "∗")

    return " ".join(p for p in (esc(before), bold(escape(best)), esc(after)) if p)


def cite(passage: Passage | SourceInfo) -> str:
    """Escaped 'Title — Publisher, Date', the title linked when the source is a URL."""
    plain = citation(passage) if isinstance(passage, Passage) else _source_citation(passage)
    rest = plain[len(passage.title) :]
    return link(passage.source, passage.title) + escape(rest)


def _source_citation(src: SourceInfo) -> str:
    tail = f", {src.date}" if src.date else ""
    return f"{src.title} — {src.publisher}{tail}"


def mention(user_id: str) -> str:
    """`<@U…>` for a real Slack user id (who clicked Share), else nothing that could ping."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape(user_id)


def button(action_id: str, label: str, value: str) -> Block:
    return {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": label, "emoji": True},
    }


def action_row(share_value: str | None = None, feedback_id: str | None = None) -> Block | None:
    """One row of buttons: Share (when its value fits), then helpful / not helpful."""
    elements = []
    if share_value and len(share_value) <= MAX_BUTTON_VALUE:
        elements.append(button(SHARE_ACTION, "Share in channel", share_value))
    if feedback_id:
        elements.append(button(FEEDBACK_UP, "👍 Helpful", feedback_id))
        elements.append(button(FEEDBACK_DOWN, "👎 Not helpful", feedback_id))
    return {"type": "actions", "elements": elements} if elements else None


def answer_message(
    answer: Answer,
    question: str,
    *,
    share_value: str | None = None,
    shared_by: str = "",
    feedback_id: str | None = None,
) -> Message:
    """The cited answer: passages with the best sentence in bold, citations, index version;
    with `feedback_id`, helpful / not helpful buttons (declined answers too)."""
    asked = f":speech_balloon: {escape(truncate(question, 300))}"
    if shared_by:
        asked += f"  ·  shared by {mention(shared_by)}"
    about = escape(truncate(about_line(answer), 300))  # how a follow-up was read, "" if alone
    if about:
        asked += f"\n{about}"
    version = f"Index version `{escape(answer.index_version)}`"
    row = action_row(share_value if answer.answered else None, feedback_id)
    buttons = [row] if row else []
    if not answer.answered:
        text = escape(decline_text(answer))
        fallback_text = f"{about}\n{text}" if about else text
        return Message(clip(fallback_text, MAX_TEXT), [context(asked), section(text), context(version), *buttons])
    blocks: list[Block] = [context(asked)]
    lines, fallback = [], [about] if about else []
    room = MAX_BLOCKS - 2 - len(buttons)  # the question above; the footer and buttons below
    for i, scored in enumerate(answer.passages[:room], 1):
        before, best, after = split_on_best(scored)
        blocks.append(section(f"*[{i}]* " + _passage_mrkdwn(before, best, after)))
        lines.append(f"*[{i}]* {cite(scored.passage)}")
        fallback.append(f"[{i}] {escape(' '.join((best or scored.passage.text).split()))} — {cite(scored.passage)}")
    footer = context(clip("\n".join(lines), MAX_TEXT), version)
    return Message(clip("\n".join(fallback), MAX_TEXT), fit(blocks, tail=[footer, *buttons]))


def principles_message(principles: Sequence[Principle], command: str) -> Message:
    """All principles, short: title plus the start of the text; `principle N` gives the rest."""
    blocks: list[Block] = [header(f"The {len(principles)} principles of the Paris Call")]
    for p in principles:
        blocks.append(section(f"*{p.number}. {escape(p.title)}*\n{escape(truncate(p.text, 280))}"))
    hint = f"`{escape(command)} principle N` shows one in full."
    blocks = fit(blocks, tail=[context(_principle_source(principles[0]) if principles else "", hint)])
    text = "\n".join(f"{p.number}. {escape(p.title)}" for p in principles)
    return Message(clip(text, MAX_TEXT), blocks)


def _principle_source(p: Principle) -> str:
    tail = f", {p.source_date}" if p.source_date else ""
    return "Source: " + escape(f"{p.source_title} — {p.source_publisher}{tail}")


def principle_message(p: Principle, *, share_value: str | None = None, shared_by: str = "") -> Message:
    """One principle in full (split over several sections if it is long)."""
    body = escape(p.text)
    chunks = [body[i : i + MAX_TEXT - 10] for i in range(0, len(body), MAX_TEXT - 10)] or [" "]
    blocks = [header(f"Principle {p.number}: {p.title}")] + [section(c) for c in chunks[:45]]
    by = f"Shared by {mention(shared_by)}" if shared_by else ""
    row = action_row(share_value)
    tail = [context(_principle_source(p), by), *([row] if row else [])]
    return Message(clip(f"Principle {p.number}: {escape(p.title)} — {body}", MAX_TEXT), fit(blocks, tail=tail))


def sources_message(sources: Sequence[SourceInfo], index_version: str) -> Message:
    """The documents of the serving index, several per section."""
    blocks: list[Block] = [header("Documents I answer from")]
    chunk = ""
    for src in sources:
        line = f"• {cite(src)} ({src.passages} passages)"
        if chunk and len(chunk) + len(line) + 1 > MAX_TEXT:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    if not sources:
        blocks.append(section("No documents are indexed yet."))
    footer = context(f"{len(sources)} documents · index version `{escape(index_version)}`")
    blocks = fit(blocks, f"…and more: {len(sources)} documents in all.", tail=[footer])
    text = f"{len(sources)} documents: " + "; ".join(escape(s.title) for s in sources)
    return Message(clip(text, MAX_TEXT), blocks)


def help_message(command: str, *, admin: bool) -> Message:
    """Usage of the slash command; the admin part only for admins."""
    c = escape(command)
    lines = [
        f"`{c} ask QUESTION` — answer a question about the Paris Call, with sources",
        f"`{c} principles` — the Call's nine principles",
        f"`{c} principle N` — one principle in full (1–9)",
        f"`{c} sources` — the documents I answer from",
        f"`{c} help` — this help",
        "You can also mention me in a channel (I answer in the thread) or send me a direct message.",
    ]
    if admin:
        lines += [
            "*Admin:*",
            f"`{c} reindex` — rebuild the index from the knowledge folder",
            f"`{c} remove DOC` — remove a document, then rebuild",
            f"`{c} rollback` — serve the previous index version",
            f"`{c} gaps [N]` — what people asked that I could not answer well, most frequent first",
            "Share a file with me in a direct message (or mention me with `add` and a file) to add a document.",
        ]
    text = "\n".join(lines)
    return Message(clip(text, MAX_TEXT), [section(text)])


def gaps_message(gaps: Sequence[Gap], command: str) -> Message:
    """Knowledge gaps for admins: each group of similar questions, most frequent first."""
    if not gaps:
        return notice("No declined or unhelpful answers recorded yet.")
    blocks: list[Block] = [header("Questions I could not answer well")]
    for gap in gaps:
        lines = [
            f"*{gap.count}×*  {escape(truncate(gap.question, 500))}",
            f"declined {gap.declined} · voted not helpful {gap.not_helpful}",
        ]
        if gap.variants:
            lines.append("also asked as: " + "; ".join(f"“{escape(truncate(v, 200))}”" for v in gap.variants))
        blocks.append(section("\n".join(lines)))
    hint = (
        f"Declined questions and answers voted not helpful, grouped by meaning. "
        f"Share a document with me to fill a gap; `{escape(command)} gaps N` shows N groups."
    )
    text = "Knowledge gaps: " + "; ".join(f"{g.count}× {escape(truncate(g.question, 200))}" for g in gaps)
    return Message(clip(text, MAX_TEXT), fit(blocks, f"…and {len(gaps)} groups in all.", tail=[context(hint)]))

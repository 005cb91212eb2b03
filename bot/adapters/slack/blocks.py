"""Core results to Block Kit messages, each with a plain `text` fallback, within Slack's limits.

Slack refuses a section over 3,000 characters or a message over 50 blocks, and shows the
`text` fallback in notifications; every builder here returns a `Message` that respects both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from bot.adapters.slack.mrkdwn import bold, clip, escape, link
from bot.render.common import citation, decline_text, split_on_best, truncate
from bot.types import Answer, Passage, Principle, SourceInfo

MAX_BLOCKS = 50
MAX_TEXT = 3000  # section and context text, and our fallback text
MAX_HEADER = 150
MAX_BUTTON_VALUE = 2000
SHARE_ACTION = "callbot_share"
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


def fit(blocks: list[Block], note: str = "") -> list[Block]:
    """At most 50 blocks; when cut, the last one says so."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[: MAX_BLOCKS - 1] + [context(note or "…more than fits in one Slack message.")]


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
    rest = plain[len(passage.title):]
    return link(passage.source, passage.title) + escape(rest)


def _source_citation(src: SourceInfo) -> str:
    tail = f", {src.date}" if src.date else ""
    return f"{src.title} — {src.publisher}{tail}"


def mention(user_id: str) -> str:
    """`<@U…>` for a real Slack user id (who clicked Share), else nothing that could ping."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape(user_id)


def share_button(value: str) -> Block | None:
    if len(value) > MAX_BUTTON_VALUE:
        return None
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": SHARE_ACTION, "value": value,
        "text": {"type": "plain_text", "text": "Share in channel"},
    }]}


def answer_message(answer: Answer, question: str, *, share_value: str | None = None, shared_by: str = "") -> Message:
    """The cited answer: passages with the best sentence in bold, citations, index version."""
    asked = f":speech_balloon: {escape(truncate(question, 300))}"
    if shared_by:
        asked += f"  ·  shared by {mention(shared_by)}"
    version = f"Index version `{escape(answer.index_version)}`"
    if not answer.answered:
        text = escape(decline_text(answer))
        return Message(clip(text, MAX_TEXT), [context(asked), section(text), context(version)])
    blocks: list[Block] = [context(asked)]
    lines, fallback = [], []
    for i, scored in enumerate(answer.passages[: MAX_BLOCKS - 4], 1):
        before, best, after = split_on_best(scored)
        blocks.append(section(f"*[{i}]* " + _passage_mrkdwn(before, best, after)))
        lines.append(f"*[{i}]* {cite(scored.passage)}")
        fallback.append(f"[{i}] {escape(' '.join((best or scored.passage.text).split()))} — {cite(scored.passage)}")
    blocks.append(context(clip("\n".join(lines), MAX_TEXT), version))
    button = share_button(share_value) if share_value else None
    if button:
        blocks.append(button)
    return Message(clip("\n".join(fallback), MAX_TEXT), fit(blocks))


def principles_message(principles: Sequence[Principle], command: str) -> Message:
    """All principles, short: title plus the start of the text; `principle N` gives the rest."""
    blocks: list[Block] = [header(f"The {len(principles)} principles of the Paris Call")]
    for p in principles:
        blocks.append(section(f"*{p.number}. {escape(p.title)}*\n{escape(truncate(p.text, 280))}"))
    hint = f"`{escape(command)} principle N` shows one in full."
    blocks = fit(blocks + [context(_principle_source(principles[0]) if principles else "", hint)])
    text = "\n".join(f"{p.number}. {escape(p.title)}" for p in principles)
    return Message(clip(text, MAX_TEXT), blocks)


def _principle_source(p: Principle) -> str:
    tail = f", {p.source_date}" if p.source_date else ""
    return "Source: " + escape(f"{p.source_title} — {p.source_publisher}{tail}")


def principle_message(p: Principle, *, share_value: str | None = None, shared_by: str = "") -> Message:
    """One principle in full (split over several sections if it is long)."""
    body = escape(p.text)
    chunks = [body[i: i + MAX_TEXT - 10] for i in range(0, len(body), MAX_TEXT - 10)] or [" "]
    blocks = [header(f"Principle {p.number}: {p.title}")] + [section(c) for c in chunks[:45]]
    by = f"Shared by {mention(shared_by)}" if shared_by else ""
    blocks.append(context(_principle_source(p), by))
    button = share_button(share_value) if share_value else None
    if button:
        blocks.append(button)
    return Message(clip(f"Principle {p.number}: {escape(p.title)} — {body}", MAX_TEXT), fit(blocks))


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
    blocks = fit(blocks, f"…and more: {len(sources)} documents in all.") + [footer]
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [footer]
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
            "Share a file with me in a direct message (or mention me with `add` and a file) to add a document.",
        ]
    text = "\n".join(lines)
    return Message(clip(text, MAX_TEXT), [section(text)])

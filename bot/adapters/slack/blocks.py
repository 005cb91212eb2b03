"""Core results to Block Kit messages, each with a plain `text` fallback, within Slack's limits.

An answer is led by its one-line answer (the part that answers in bold), then its citation
(a context block), a hint and the index version; a "Show passages" button posts the
supporting passages (at most two, each from another document, each cited once). Newlines in
documents are kept (a bullet list stays a list). Every sentence added here comes from
`HINTS` (one table per language).

Slack refuses a section over 3,000 characters or a message over 50 blocks, and shows the
`text` fallback in notifications; every builder here returns a `Message` that respects both.
Trailing blocks (footer, buttons) are reserved first, so cutting a long message never drops
the buttons people vote or share with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.adapters.slack.mrkdwn import bold, clip, escape, link
from bot.render.common import (
    Hints,
    citation,
    truncate,
)
from bot.types import Passage, Principle, SourceInfo

if TYPE_CHECKING:  # bot.ops.gaps imports numpy; rendering needs only the type
    from bot.ops.gaps import Gap

MAX_BLOCKS = 50
MAX_TEXT = 3000  # section and context text, and our fallback text
MAX_HEADER = 150
MAX_BUTTON_VALUE = 2000
SHARE_ACTION = "callbot_share"
PASSAGES_ACTION = "callbot_passages"
HINTS = Hints(
    principles="`/paris-call principles`",
    principle="`/paris-call principle 8`",
    sources="`/paris-call sources`",
    principle_more="`{command} principle N` shows one in full, with the passages that discuss it.",
    sources_title="Documents I answer from",
    help=(
        "`{command} ask QUESTION` — answer a question about the Paris Call, with sources",
        "`{command} principles` — the Call's nine principles",
        "`{command} principle N` — one principle in full (1–9), with the passages that discuss it",
        "`{command} sources` — the documents I answer from",
        "`{command} help` — this help",
        "You can also mention me in a channel (I answer in the thread) or send me a direct message; "
        "there, saying just `principles`, `principle N`, `sources` or `help` works too.",
    ),
    help_admin=(
        "*Admin:*",
        "`{command} reindex` — rebuild the index from the knowledge folder",
        "`{command} remove DOC` — remove a document, then rebuild",
        "`{command} rollback` — serve the previous index version",
        "`{command} gaps [N]` — what people asked that I could not answer well, most frequent first",
        "Share a file with me in a direct message (or mention me with `add` and a file) to add a document.",
    ),
    gaps_footer=(
        "Declined questions and answers voted not helpful, grouped by meaning. "
        "Share a document with me to fill a gap; `{command} gaps N` shows N groups."
    ),
)
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


def hints_for(command: str) -> Hints:
    """The Slack words with the configured slash command in every hint."""
    c = escape(command)
    return replace(HINTS, principles=f"`{c} principles`", principle=f"`{c} principle 8`", sources=f"`{c} sources`")


def tidy_lines(text: str) -> str:
    """Spaces tidied within each line; line breaks kept (a bullet list stays a list)."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


def _gap(whitespace: str) -> str:
    return "\n" if "\n" in whitespace else " "


def passage_mrkdwn(before: str, best: str, after: str) -> str:
    def esc(part: str) -> str:
        return escape(tidy_lines(part)).replace("*", "∗")

    text = "\n".join(bold(escape(line)) for line in tidy_lines(best).splitlines())
    if before.strip():
        text = esc(before) + _gap(before[len(before.rstrip()) :]) + text
    if after.strip():
        text = text + _gap(after[: len(after) - len(after.lstrip())]) + esc(after)
    return text


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


def action_row(
    share_value: str | None = None,
    feedback_id: str | None = None,
    passages_value: str | None = None,
    hints: Hints = HINTS,
) -> Block | None:
    """One row of buttons: Show passages, Share (when its value fits), helpful / not helpful,
    labelled in `hints`' words (the answer's language)."""
    elements = []
    if passages_value:
        elements.append(button(PASSAGES_ACTION, hints.show_passages, passages_value))
    if share_value and len(share_value) <= MAX_BUTTON_VALUE:
        elements.append(button(SHARE_ACTION, hints.share, share_value))
    if feedback_id:
        elements.append(button(FEEDBACK_UP, f"👍 {hints.helpful}", feedback_id))
        elements.append(button(FEEDBACK_DOWN, f"👎 {hints.not_helpful}", feedback_id))
    return {"type": "actions", "elements": elements} if elements else None


def principles_message(principles: Sequence[Principle], command: str) -> Message:
    """All principles, short: title plus the start of the text; `principle N` gives the rest."""
    blocks: list[Block] = [header(HINTS.principles_title.format(count=len(principles)))]
    for p in principles:
        blocks.append(section(f"*{p.number}. {escape(p.title)}*\n{escape(truncate(p.text, 280))}"))
    hint = HINTS.fill(HINTS.principle_more, command=escape(command))
    blocks = fit(blocks, tail=[context(principle_source(principles[0]) if principles else "", hint)])
    text = "\n".join(f"{p.number}. {escape(p.title)}" for p in principles)
    return Message(clip(text, MAX_TEXT), blocks)


def principle_source(p: Principle) -> str:
    tail = f", {p.source_date}" if p.source_date else ""
    return escape(HINTS.wording_from.format(source=f"{p.source_title} — {p.source_publisher}{tail}"))


def sources_message(sources: Sequence[SourceInfo], index_version: str) -> Message:
    """The documents of the serving index, several per section."""
    blocks: list[Block] = [header(HINTS.sources_title.format(count=len(sources)))]
    chunk = ""
    for src in sources:
        line = f"• {cite(src)} ({HINTS.passages_count.format(count=src.passages)})"
        if chunk and len(chunk) + len(line) + 1 > MAX_TEXT:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    if not sources:
        blocks.append(section(HINTS.no_documents))
    footer = context(HINTS.index_version.format(version=f"`{escape(index_version)}`"))
    blocks = fit(blocks, HINTS.more_than_fits.format(count=len(sources)), tail=[footer])
    text = f"{len(sources)} documents: " + "; ".join(escape(s.title) for s in sources)
    return Message(clip(text, MAX_TEXT), blocks)


def help_message(command: str, *, admin: bool) -> Message:
    """Usage of the slash command; the admin part only for admins."""
    hints, c = hints_for(command), escape(command)
    lines = [hints.fill(line, command=c) for line in (*hints.help, *(hints.help_admin if admin else ()))]
    text = "\n".join(lines)
    return Message(clip(text, MAX_TEXT), [section(text)])


def gaps_message(gaps: Sequence[Gap], command: str) -> Message:
    """Knowledge gaps for admins: each group of similar questions, most frequent first."""
    if not gaps:
        return notice(HINTS.gaps_none)
    blocks: list[Block] = [header(HINTS.gaps_title)]
    for gap in gaps:
        lines = [
            f"*{gap.count}×*  {escape(truncate(gap.question, 500))}",
            escape(HINTS.gaps_counts.format(count=gap.count, declined=gap.declined, not_helpful=gap.not_helpful)),
        ]
        if gap.variants:
            variants = "; ".join(f"“{escape(truncate(v, 200))}”" for v in gap.variants)
            lines.append(HINTS.gaps_also.format(variants=variants))
        blocks.append(section("\n".join(lines)))
    hint = HINTS.gaps_footer.format(command=escape(command))
    text = "Knowledge gaps: " + "; ".join(f"{g.count}× {escape(truncate(g.question, 200))}" for g in gaps)
    return Message(
        clip(text, MAX_TEXT), fit(blocks, HINTS.more_than_fits.format(count=len(gaps)), tail=[context(hint)])
    )

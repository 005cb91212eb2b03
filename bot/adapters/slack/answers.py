"""Answers as Block Kit: the one-line answer first, its citation, the supporting passages
one click away ("Show passages"), and a principle with the passages that discuss it.

The answer section leads with the sentence that answers (the part that answers in bold),
then its citation (a context block), a hint and the index version. The passages behind the
button are at most two, each from another document than the answer and each other, each
cited once; newlines in documents are kept (a bullet list stays a list).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.slack.blocks import (
    HINTS,
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_TEXT,
    Block,
    Message,
    action_row,
    cite,
    context,
    fit,
    header,
    mention,
    notice,
    passage_mrkdwn,
    principle_source,
    section,
    tidy_lines,
)
from bot.adapters.slack.mrkdwn import bold, clip, escape
from bot.render.common import (
    Hints,
    about_line,
    decline_text,
    hint_text,
    in_language,
    lead_citation,
    lead_parts,
    lead_passage,
    lead_preface,
    one_per_document,
    passage_ref,
    split_on_best,
    supporting_passages,
    truncate,
)
from bot.types import Answer, Passage, Principle, ScoredPassage


def answer_message(
    answer: Answer,
    question: str,
    *,
    share_value: str | None = None,
    shared_by: str = "",
    feedback_id: str | None = None,
    hints: Hints = HINTS,
) -> Message:
    """The cited answer, led by its one-line answer (see `_lead_message`); an answer without
    one lists its passages with the best sentence in bold. With `feedback_id`, helpful / not
    helpful buttons (declined answers too). The words are in the answer's language."""
    hints = in_language(hints, answer.language)
    asked = f":speech_balloon: {escape(truncate(question, 300))}"
    if shared_by:
        asked += "  ·  " + hints.shared_by.format(who=mention(shared_by))
    about = escape(truncate(about_line(answer, hints), 300))  # how a follow-up was read, "" if alone
    if about:
        asked += f"\n{about}"
    version = hints.index_version.format(version=f"`{escape(answer.index_version)}`")
    passages = passages_value(answer)
    row = action_row(share_value if answer.answered else None, feedback_id, passages, hints)
    buttons = [row] if row else []
    if not answer.answered:
        text = escape(decline_text(answer, hints))
        text = f"{about}\n{text}" if about else text
        return Message(
            clip(text, MAX_TEXT), [context(asked), section(decline_mrkdwn(answer, hints)), context(version), *buttons]
        )
    if answer.lead:
        return _lead_message(answer, asked, version, buttons, hints)
    blocks: list[Block] = [context(asked)]
    lines, fallback = [], [about] if about else []
    room = MAX_BLOCKS - 2 - len(buttons)  # the question above; the footer and buttons below
    for i, scored in enumerate(one_per_document(answer.passages, limit=room), 1):  # each document cited once
        before, best, after = split_on_best(scored)
        blocks.append(section(f"*[{i}]* " + passage_mrkdwn(before, best, after)))
        lines.append(f"*[{i}]* {cite(scored.passage)}")
        fallback.append(f"[{i}] {escape(' '.join((best or scored.passage.text).split()))} — {cite(scored.passage)}")
    footer = context(clip("\n".join(lines), MAX_TEXT), version)
    return Message(clip("\n".join(fallback), MAX_TEXT), fit(blocks, tail=[footer, *buttons]))


def decline_mrkdwn(answer: Answer, hints: Hints = HINTS) -> str:
    """A declined question: the reason, then what the bot can answer instead as a list (or,
    for "principle 12", the command that lists the principles)."""
    hints = in_language(hints, answer.language)
    lead = escape(answer.message or hints.not_covered)
    if answer.suggestion_kind == "principles":
        return f"{lead} {hint_text(answer, hints)}"
    return "\n".join([lead, f"{escape(hints.can_answer)}:", *(f"• {s}" for s in hints.suggestions())])


def lead_mrkdwn(answer: Answer, hints: Hints = HINTS) -> str:
    """The one-line answer, escaped, the part that answers in bold, its preface first."""
    before, span, after = lead_parts(answer)
    core = span.strip()
    marked = span.replace(core, bold(escape(core)), 1) if core else ""
    return escape(lead_preface(answer, hints) + before).replace("*", "∗") + marked + escape(after).replace("*", "∗")


def _lead_message(answer: Answer, asked: str, version: str, buttons: list[Block], hints: Hints) -> Message:
    """Question, answer section, citation context, hint and version context, buttons."""
    blocks: list[Block] = [context(asked)]
    if answer.read_as:
        blocks.append(context(escape(hints.read_as.format(text=answer.read_as))))
    blocks.append(section(lead_mrkdwn(answer, hints)))
    scored = lead_passage(answer)
    cited = cite(scored.passage) if scored else escape(lead_citation(answer))
    if cited:
        blocks.append(context(f"— {cited}"))
    blocks.append(context(*[t for t in (hint_text(answer, hints), version) if t]))
    fallback = escape(lead_preface(answer, hints) + answer.lead)
    about = escape(truncate(about_line(answer, hints), 300))
    fallback = f"{about}\n{fallback}" if about else fallback
    return Message(clip(fallback, MAX_TEXT), blocks + buttons)


def passages_value(answer: Answer) -> str | None:
    """The Show passages button's value: the supporting passages' keys (None: no button)."""
    if not answer.answered or not answer.lead:
        return None
    keys = [passage_ref(scored) for scored in supporting_passages(answer)]
    return ",".join(keys)[:MAX_BUTTON_VALUE] or None


def passages_message(passages: Sequence[Passage | ScoredPassage], hints: Hints = HINTS) -> Message:
    """Supporting passages (a Show passages click, a principle's discussion): each passage
    with its best sentence bold when known, newlines kept, its citation once under it."""
    blocks: list[Block] = [context(f"*{escape(hints.passages_title)}*")]
    fallback = []
    for item in passages:
        scored = item if isinstance(item, ScoredPassage) else ScoredPassage(item, 0.0, "")
        before, best, after = split_on_best(scored) if scored.best_sentence else ("", "", scored.passage.text)
        body = passage_mrkdwn(before, best, after) if best else escape(tidy_lines(after)).replace("*", "∗")
        blocks += [section(body), context(f"— {cite(scored.passage)}")]
        fallback.append(cite(scored.passage))
    if not fallback:
        return notice(hints.no_passages)
    return Message(clip("\n".join(fallback), MAX_TEXT), fit(blocks))


def principle_message(
    p: Principle,
    *,
    share_value: str | None = None,
    shared_by: str = "",
    answer: Answer | None = None,
    hints: Hints = HINTS,
) -> Message:
    """One principle in full (split over several sections if it is long), then, as Discord's
    `/principle` shows them, the passages that discuss it (one per document)."""
    body = escape(p.text)
    chunks = [body[i : i + MAX_TEXT - 10] for i in range(0, len(body), MAX_TEXT - 10)] or [" "]
    title = hints.principle_title.format(number=p.number, title=p.title)
    blocks = [header(title)] + [section(c) for c in chunks[:40]]
    by = hints.shared_by.format(who=mention(shared_by)) if shared_by else ""
    row = action_row(share_value, hints=hints)
    discussed: list[Block] = []
    if answer is not None and answer.answered:
        shown = one_per_document(answer.passages)
        if shown:
            discussed = [context(escape(hints.discussed.format(version=answer.index_version)))]
            for scored in shown:
                discussed += [section(passage_mrkdwn(*split_on_best(scored))), context(f"— {cite(scored.passage)}")]
    tail = [context(principle_source(p), by), *discussed, *([row] if row else [])]
    return Message(clip(f"{escape(title)} — {body}", MAX_TEXT), fit(blocks, tail=tail))

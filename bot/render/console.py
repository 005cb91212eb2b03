"""Rendering for a terminal: rich formatting on a TTY, plain text when piped."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.render.common import (
    CONSOLE_HINTS,
    about_line,
    citation,
    decline_text,
    hint_text,
    in_language,
    lead_citation,
    lead_parts,
    lead_passage,
    lead_preface,
    link,
    split_on_best,
    supporting_passages,
)
from bot.types import Answer, Principle, SourceInfo

HINTS = CONSOLE_HINTS  # the terminal's words (commands as typed in a shell)


def _lead_text(answer: Answer) -> Text:
    """The one-line answer with its span bold, then its citation (and link) dimmed."""
    before, span, after = lead_parts(answer)
    text = Text(overflow="fold")
    preface = lead_preface(answer, HINTS)
    if preface:
        text.append(preface, style="yellow")
    text.append(before)
    text.append(span, style="bold")
    text.append(after)
    cited = lead_citation(answer)
    if cited:
        text.append(f"\n— {cited}", style="dim italic")
    scored = lead_passage(answer)
    if scored and link(scored.passage):
        text.append(f"\n  {link(scored.passage)}", style="dim")
    hint = hint_text(answer, HINTS)
    if hint:
        text.append(f"\n{hint}", style="dim")
    return text


def answer_renderable(answer: Answer, verbose: bool = False) -> Group:
    """The answer first (span bold, cited), then at most two supporting passages in panels
    that wrap rather than crop; scores only when `verbose`. "(read as: ...)" comes first
    when the question was corrected for spelling."""
    read_as = [Text(read_as_line(answer), style="dim italic")] if answer.read_as else []
    if answer.understood_as:
        read_as.append(Text(about_line(answer, in_language(HINTS, answer.language)), style="dim italic"))
    if not answer.answered:
        return Group(*read_as, Text(decline_text(answer, HINTS), style="yellow", overflow="fold"))
    parts: list = [*read_as, _lead_text(answer)] if answer.lead else [*read_as]
    shown = supporting_passages(answer) if answer.lead else list(answer.passages)
    for rank, scored in enumerate(shown, 1):
        before, best, after = split_on_best(scored)
        body = Text(overflow="fold")
        body.append(before)
        body.append(best, style="bold")
        body.append(after)
        body.append("\n")
        body.append(f"— {citation(scored.passage)}", style="dim italic")
        if link(scored.passage):
            body.append(f"\n  {link(scored.passage)}", style="dim")
        title = f"passage {rank} · score {scored.score:.2f}" if verbose else f"passage {rank}"
        parts.append(Panel(body, title=title, title_align="left"))
    parts.append(Text(HINTS.index_version.format(version=answer.index_version), style="dim"))
    return Group(*parts)


def answer_plain(answer: Answer, verbose: bool = False) -> str:
    """The same answer as plain text (pipes, logs): "(read as: ...)" when the question was
    corrected, the answer line with its span in **, its citation, then the supporting
    passages with their best sentence in **."""
    read_as = [read_as_line(answer)] if answer.read_as else []
    if answer.understood_as:
        read_as.append(about_line(answer, in_language(HINTS, answer.language)))
    if not answer.answered:
        return "\n".join([*read_as, decline_text(answer, HINTS)])
    lines = [*read_as]
    if answer.lead:
        before, span, after = lead_parts(answer)
        lines.append(f"{lead_preface(answer, HINTS)}{before}**{span}**{after}".replace("****", ""))
        if lead_citation(answer):
            lines.append(f"    — {lead_citation(answer)}")
        hint = hint_text(answer, HINTS)
        if hint:
            lines.append(hint)
    shown = supporting_passages(answer) if answer.lead else list(answer.passages)
    for rank, scored in enumerate(shown, 1):
        before, best, after = split_on_best(scored)
        lines.append(f"[{rank}] {before}**{best}**{after}".replace("****", ""))
        score = f" (score {scored.score:.2f})" if verbose else ""
        lines.append(f"    — {citation(scored.passage)}{score}")
    return "\n".join(lines)


def read_as_line(answer: Answer) -> str:
    """ "(read as: cyber hygiene)": the question as corrected for spelling."""
    return f"(read as: {answer.read_as})"


def principles_text(principles: tuple[Principle, ...] | list[Principle], markup: bool = True) -> str:
    rows = []
    for p in principles:
        title = f"[bold]{escape(p.title)}[/bold]" if markup else p.title
        rows.append(f"{p.number}. {title}: {escape(p.text) if markup else p.text}")
    if principles:
        src = principles[0]
        rows.append(f"(wording from {src.source_title} — {src.source_publisher}, {src.source_date})")
    return "\n".join(rows)


def sources_text(sources: list[SourceInfo]) -> str:
    return "\n".join(
        f"- {s.title} — {s.publisher}, {s.date or 'undated'} [{s.source}; {s.passages} passages]" for s in sources
    )

"""Rendering for a terminal: rich formatting on a TTY, plain text when piped."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.render.common import citation, decline_text, split_on_best
from bot.types import Answer, Principle, SourceInfo


def answer_renderable(answer: Answer) -> Group:
    """The answer as rich renderables: best sentence bold, one cited panel per passage."""
    read_as = [Text(read_as_line(answer), style="dim italic")] if answer.read_as else []
    if not answer.answered:
        return Group(*read_as, Text(decline_text(answer), style="yellow"))
    panels: list = [*read_as]
    for rank, scored in enumerate(answer.passages, 1):
        before, best, after = split_on_best(scored)
        body = Text()
        body.append(before)
        body.append(best, style="bold")
        body.append(after)
        body.append("\n")
        body.append(f"— {citation(scored.passage)}", style="dim italic")
        panels.append(Panel(body, title=f"{rank} · score {scored.score:.2f}", title_align="left"))
    panels.append(Text(f"index {answer.index_version}", style="dim"))
    return Group(*panels)


def answer_plain(answer: Answer) -> str:
    """The same answer as plain text (pipes, logs): best sentence wrapped in **."""
    read_as = [read_as_line(answer)] if answer.read_as else []
    if not answer.answered:
        return "\n".join([*read_as, decline_text(answer)])
    lines = [*read_as]
    for rank, scored in enumerate(answer.passages, 1):
        before, best, after = split_on_best(scored)
        lines.append(f"[{rank}] {before}**{best}**{after}".replace("****", ""))
        lines.append(f"    — {citation(scored.passage)} (score {scored.score:.2f})")
    return "\n".join(lines)


def read_as_line(answer: Answer) -> str:
    """"(read as: cyber hygiene)": the question as corrected for spelling."""
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

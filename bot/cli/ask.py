"""`callbot ask [--json] QUESTION|-`: the contract other tools rely on."""

from __future__ import annotations

import json
import sys
from typing import Iterator

import click
from rich.console import Console

from bot.cli.context import AppContext
from bot.errors import QuestionError
from bot.render.console import answer_plain, answer_renderable
from bot.render.json_contract import answer_to_json, error_to_json
from bot.types import Answer, Question

pass_app = click.make_pass_decorator(AppContext)
STDIN_BATCH = 32


def _stdin_batches() -> Iterator[list[str]]:
    """Non-empty lines of stdin in small batches (one embedding call per batch)."""
    batch: list[str] = []
    for line in sys.stdin:
        if line.strip():
            batch.append(line.rstrip("\n"))
        if len(batch) >= STDIN_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _emit(result: Answer | QuestionError, question: str, as_json: bool, console: Console, verbose: bool = False) -> None:
    if as_json:
        obj = answer_to_json(result) if isinstance(result, Answer) else error_to_json(question, str(result))
        click.echo(json.dumps(obj, ensure_ascii=False))
    elif isinstance(result, QuestionError):
        click.echo(f"callbot: {result}", err=True)
    elif console.is_terminal:
        console.print(answer_renderable(result, verbose))
    else:
        click.echo(answer_plain(result, verbose) + "\n")


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.option("--top-k", type=click.IntRange(1, 20), default=None, help="How many passages (default 3).")
@click.option("--verbose", is_flag=True, help="Show the passages' raw scores (they are not probabilities).")
@pass_app
def ask(app: AppContext, question: str, as_json: bool, top_k: int | None, verbose: bool) -> None:
    """Answer QUESTION from the documents, with citations. Use - to read one question per line from stdin."""
    console = Console()  # wraps at the terminal's width: soft_wrap would crop the panels
    if question != "-":
        answer = app.core().ask(Question(question, actor=app.cli_actor(), top_k=top_k))
        _emit(answer, question, as_json, console, verbose)
        return
    core = app.core()
    actor = app.cli_actor()
    for batch in _stdin_batches():
        results = core.ask_many([Question(q, actor=actor, top_k=top_k) for q in batch])
        for q, result in zip(batch, results):
            _emit(result, q, as_json, console, verbose)
        sys.stdout.flush()


def register(group: click.Group) -> None:
    group.add_command(ask)

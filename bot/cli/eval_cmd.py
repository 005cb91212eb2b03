"""`callbot eval FILE`: retrieval quality on a question set."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import AppContext, pass_app
from bot.evaluation import evaluate, load_eval


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-misses", is_flag=True, help="List the questions not answered in the top 3.")
@pass_app
def eval_command(app: AppContext, file: Path, show_misses: bool) -> None:
    """Print hit@1, hit@3, MRR and the decline rates for the questions in FILE (JSONL)."""
    report = evaluate(app.core(), load_eval(file))
    for line in report.lines():
        click.echo(line)
    if show_misses:
        for miss in report.misses:
            click.echo(f"miss: {miss}")


def register(group: click.Group) -> None:
    group.add_command(eval_command)

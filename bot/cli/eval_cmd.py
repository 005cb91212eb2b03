"""`callbot eval FILE`: retrieval quality on a question set (single questions or conversations)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import AppContext, pass_app
from bot.evaluation import evaluate, load_eval, unrelated_contexts


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-misses", is_flag=True, help="List the questions not answered in the top 3.")
@click.option(
    "--unrelated-context",
    is_flag=True,
    help="Also ask each question after an unrelated earlier question and print the hit@1 change.",
)
@pass_app
def eval_command(app: AppContext, file: Path, show_misses: bool, unrelated_context: bool) -> None:
    """Print hit@1, hit@3, MRR and the decline rates for the questions in FILE (JSONL).

    Lines with a "context" list (earlier questions, oldest first) are conversation turns:
    they are asked in their conversation, and the follow-ups get a line of their own."""
    core = app.core()
    items = load_eval(file)
    report = evaluate(core, items)
    for line in report.lines():
        click.echo(line)
    if show_misses:
        for miss in report.misses:
            click.echo(f"miss: {miss}")
    if unrelated_context:
        other = evaluate(core, items, unrelated_contexts(core, items))
        change = other.hit1 - report.hit1
        click.echo(
            f"unrelated context: hit@1 {other.hit1:.3f} (change {change:+.3f}), hit@3 {other.hit3:.3f} "
            f"(change {other.hit3 - report.hit3:+.3f}), on-topic declined {other.on_topic_declined:.3f}, "
            f"off-topic declined {other.off_topic_declined:.3f} (change {other.off_topic_declined - report.off_topic_declined:+.3f})"
        )


def register(group: click.Group) -> None:
    group.add_command(eval_command)

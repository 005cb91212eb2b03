"""`callbot gaps` and `callbot feedback`: what the feedback database says.

Both only read the database; a bot that never recorded anything has none yet, which is
reported, not created. Only `gaps` needs the embedding model (to group questions).
"""

from __future__ import annotations

import click

from bot.cli.context import AppContext, pass_app
from bot.ops.feedback import FeedbackStore, feedback_db_path


def _open_store(app: AppContext) -> FeedbackStore | None:
    from bot.config import secret

    if app.settings.storage.database_url:
        from bot.storage.stores import open_feedback

        return open_feedback(app.settings)
    path = feedback_db_path(app.settings)
    if not path.is_file():
        click.echo(f"No feedback recorded yet ({path} does not exist).")
        return None
    return FeedbackStore(path, secret(app.settings.feedback.salt_env))


@click.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="Groups to show.")
@click.option(
    "--threshold",
    default=0.75,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Similarity needed to group two questions.",
)
@pass_app
def gaps(app: AppContext, limit: int, threshold: float) -> None:
    """What people asked that the bot could not answer well (declined or voted not
    helpful), grouped by meaning, most frequent first."""
    store = _open_store(app)
    if store is None:
        return
    found = store.gaps(app.core(start=False).embedder, limit=limit, threshold=threshold)
    if not found:
        click.echo("No declined or unhelpful answers recorded.")
        return
    click.echo(f"{'asked':>6}  question")
    for gap in found:
        click.echo(f"{gap.count:>6}  {gap.question}")
        detail = f"declined {gap.declined}, voted not helpful {gap.not_helpful}"
        click.echo(f"{'':>6}  ({detail})")
        for variant in gap.variants:
            click.echo(f"{'':>6}  also: {variant}")


@click.command()
@pass_app
def feedback(app: AppContext) -> None:
    """Answers served, declined and voted helpful, by day and index version."""
    store = _open_store(app)
    if store is None:
        return
    rows = store.helpful_rate_by_day_and_version()
    if not rows:
        click.echo("No answers recorded yet.")
        return
    click.echo(f"{'day':<10}  {'index version':<22}  {'answers':>7}  {'declined':>8}  {'votes':>5}  {'helpful':>7}")
    for row in rows:
        rate = f"{row.helpful_rate:.0%}" if row.helpful_rate is not None else "-"
        click.echo(
            f"{row.day:<10}  {row.index_version:<22}  {row.answers:>7}  {row.declined:>8}  {row.votes:>5}  {rate:>7}"
        )


def register(group: click.Group) -> None:
    group.add_command(gaps)
    group.add_command(feedback)

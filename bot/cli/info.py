"""`callbot principles [N]` (also `callbot principle N`) and `callbot sources`: no model is
loaded for these."""

from __future__ import annotations

import click
from rich.console import Console

from bot.cli.context import AppContext, pass_app
from bot.render.console import principles_text, sources_text


@click.command()
@click.argument("number", type=int, required=False)
@pass_app
def principles(app: AppContext, number: int | None) -> None:
    """List the Call's nine principles, or show principle NUMBER in full."""
    core = app.core(start=False)
    chosen = (core.principle(number),) if number is not None else core.principles()
    Console(soft_wrap=True).print(principles_text(chosen), highlight=False)


@click.command(hidden=True)
@click.argument("number", type=int)
@click.pass_context
def principle(ctx: click.Context, number: int) -> None:
    """`callbot principle 8`: what people type for `callbot principles 8` (same output)."""
    ctx.invoke(principles, number=number)


@click.command()
@pass_app
def sources(app: AppContext) -> None:
    """List the documents in the serving index, with publisher and date."""
    Console(soft_wrap=True).print(sources_text(app.core(start=False).sources()), markup=False, highlight=False)


def register(group: click.Group) -> None:
    group.add_command(principles)
    group.add_command(principle)
    group.add_command(sources)

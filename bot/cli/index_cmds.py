"""`callbot index ...`: build and inspect the index."""

from __future__ import annotations

import click

from bot.cli.context import AppContext, pass_app
from bot.index.store import read_manifest


@click.group()
def index() -> None:
    """Build and inspect the search index (and manage the knowledge base)."""


@index.command()
@pass_app
def status(app: AppContext) -> None:
    """Show the serving index version and whether it matches knowledge/."""
    core = app.core(start=False)
    core.index.recover()  # an operation a crash cut short is settled (and audited) first
    store = core.index.store
    version = store.current()
    click.echo(f"knowledge folder: {app.settings.knowledge_path}")
    click.echo(f"index folder:     {app.settings.index_path}")
    if version is None:
        click.echo("serving version:  none (run `callbot index build`)")
        return
    reason = core.index.stale_reason(version)
    try:
        manifest = read_manifest(store.path(version))
    except Exception as err:  # shown, not raised: status must work on a damaged index
        click.echo(f"serving version:  {version} (unreadable: {err})")
        return
    click.echo(f"serving version:  {version} (built {manifest.get('built_at')}, {manifest.get('build_seconds')} s)")
    click.echo(f"model:            {manifest.get('model_id')} ({manifest.get('dimension')} dimensions)")
    click.echo(f"index type:       {manifest.get('index_type')}")
    click.echo(f"documents:        {len(manifest.get('documents', {}))}; passages: {manifest.get('passages')}")
    click.echo(f"state:            {'up to date' if reason is None else 'stale: ' + reason}")
    click.echo(f"versions kept:    {', '.join(store.list_versions())}")


def register(group: click.Group) -> None:
    from bot.cli import knowledge_cmds

    knowledge_cmds.register(index)
    group.add_command(index)

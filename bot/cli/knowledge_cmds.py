"""`callbot index build|add|remove|list|rollback|log`: the admin knowledge operations."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import AppContext, pass_app
from bot.knowledge.report import OpReport


def _print_report(report: OpReport) -> None:
    click.echo(report.message)
    if report.embedded or report.reused:
        click.echo(f"texts embedded: {report.embedded}, vectors reused: {report.reused}")
    for warning in report.warnings:
        click.echo(f"skipped: {warning}", err=True)


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--force", is_flag=True, help="Promote even if the quality gate objects.")
@pass_app
def build(app: AppContext, dry_run: bool, force: bool) -> None:
    """Rebuild the index from knowledge/ and switch to it."""
    knowledge = app.knowledge(start=False)
    if dry_run:
        for line in knowledge.plan().lines():
            click.echo(line)
        return
    _print_report(knowledge.rebuild(app.cli_actor(), force=force))


@click.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--title", help="Document title (default: from the document).")
@click.option("--publisher", help="Publisher (default: from the document).")
@click.option("--date", help="Publication date, e.g. 2019-11-12 (default: from the document).")
@click.option("--force", is_flag=True, help="Promote even if the quality gate objects.")
@pass_app
def add(
    app: AppContext, targets: tuple[str, ...], title: str | None, publisher: str | None, date: str | None, force: bool
) -> None:
    """Add documents (files, folders or http(s) URLs) to knowledge/ and rebuild."""
    knowledge = app.knowledge()
    meta = {"title": title, "publisher": publisher, "date": date}
    urls = [t for t in targets if "://" in t]
    paths = [Path(t) for t in targets if "://" not in t]
    if paths:
        _print_report(knowledge.add_paths(paths, app.cli_actor(), force=force, **meta))
    for url in urls:
        _print_report(knowledge.add_url(url, app.cli_actor(), force=force, **meta))


@click.command()
@click.argument("doc")
@pass_app
def remove(app: AppContext, doc: str) -> None:
    """Remove document DOC (id or file name) and rebuild."""
    _print_report(app.knowledge().remove(doc, app.cli_actor()))


@click.command("list")
@pass_app
def list_documents(app: AppContext) -> None:
    """List the documents: id, title, publisher, date, passages, added when and by whom."""
    for row in app.knowledge(start=False).list_documents():
        click.echo(
            f"{row.doc_id}\t{row.title}\t{row.publisher}\t{row.date or '-'}\t"
            f"{row.passages} passages\tadded {row.added_at} by {row.added_by}"
        )


@click.command()
@pass_app
def rollback(app: AppContext) -> None:
    """Return to the index version (and documents) that served before this one."""
    _print_report(app.knowledge(start=False).rollback(app.cli_actor()))


@click.command("log")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@pass_app
def audit_log(app: AppContext, limit: int) -> None:
    """Print the audit log, newest first."""
    for e in app.knowledge(start=False).log(limit):
        who = f"{e.platform}:{e.user_name or e.user_id}"
        click.echo(f"{e.at}\t{who}\t{e.action}\t{e.target}\t{e.outcome}\t{e.detail}")


def register(group: click.Group) -> None:
    for command in (build, add, remove, list_documents, rollback, audit_log):
        group.add_command(command)

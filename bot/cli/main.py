"""`callbot`: the command-line entry point. Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import sqlite3
import sys

import click

from bot import __version__
from bot.cli.context import AppContext
from bot.errors import CallbotError

EXIT_ERROR = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="callbot")
@click.option(
    "--config", "config_file", metavar="FILE", help="Config file (default: $CALLBOT_CONFIG, then ./config.yaml)."
)
@click.option("--knowledge", "knowledge_dir", metavar="DIR", help="Knowledge folder (overrides knowledge_dir).")
@click.option("--index", "index_dir", metavar="DIR", help="Index folder (overrides index_dir).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, knowledge_dir: str | None, index_dir: str | None) -> None:
    """callbot answers questions about the Paris Call for Trust and Security in Cyberspace,
    citing the documents in its knowledge base."""
    if ctx.obj is None:  # tests may pass a prepared AppContext (with a core on a fake embedder)
        ctx.obj = AppContext(config_file=config_file, knowledge_dir=knowledge_dir, index_dir=index_dir)


def register_all(group: click.Group) -> None:
    """Explicit wiring of every command module."""
    from bot.cli import ask, eval_cmd, index_cmds, info, ops_cmds, run_cmds

    for module in (ask, info, index_cmds, run_cmds, eval_cmd, ops_cmds):
        module.register(group)


register_all(cli)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map errors to one clear stderr line and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="callbot", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.exceptions.Abort:
        click.echo("callbot: interrupted.", err=True)
        code = 130
    except click.UsageError as err:
        hint = f" (see 'callbot {err.ctx.command_path.partition(' ')[2]} --help')".replace("  ", " ") if err.ctx else ""
        click.echo(f"callbot: {err.format_message()}{hint}", err=True)
        code = EXIT_USAGE
    except click.ClickException as err:
        click.echo(f"callbot: {err.format_message()}", err=True)
        code = err.exit_code
    except CallbotError as err:
        click.echo(f"callbot: {err}", err=True)
        code = EXIT_ERROR
    except sqlite3.Error as err:  # e.g. a database another process holds locked
        click.echo(f"callbot: a database could not be used ({err}); try again in a moment.", err=True)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("callbot: interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    sys.exit(code or 0)

"""`callbot ask [--json] QUESTION|-`: the contract other tools rely on."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click
from rich.console import Console

from bot.cli.context import AppContext, pass_app
from bot.errors import QuestionError
from bot.render.console import answer_plain, answer_renderable
from bot.render.json_contract import answer_to_json, error_to_json
from bot.types import Actor, Answer, Question, Turn

if TYPE_CHECKING:
    from bot.core import BotCore

STDIN_BATCH = 32


def valid_text(text: str) -> str:
    """`text` with what is not Unicode text replaced by U+FFFD.

    Python hands undecodable argv bytes over as lone surrogates ("surrogateescape"); left
    in, they would be written back as the raw bytes and break the UTF-8 of `--json` output.
    """
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin decoded as UTF-8 whatever the locale, bad bytes replaced."""
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:  # a text-only stream (some embedders of the CLI)
        yield from (valid_text(line) for line in sys.stdin)
        return
    for raw in binary:
        yield raw.decode("utf-8", "replace")


def _stdin_batches() -> Iterator[list[str]]:
    """Non-empty lines of stdin in small batches (one embedding call per batch)."""
    batch: list[str] = []
    for line in _stdin_lines():
        if line.strip():
            batch.append(line.rstrip("\r\n"))
        if len(batch) >= STDIN_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_line(line: str) -> tuple[str, tuple[Turn, ...]]:
    """A stdin line: a plain question, or a JSON object {"q": "...", "context": ["earlier
    question", ...]} (oldest first) answered in that conversation. Anything else that starts
    with "{" is read as a plain question, as before."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except ValueError:
            return line, ()
        if isinstance(obj, dict) and isinstance(obj.get("q"), str):
            context = obj.get("context") or []
            if isinstance(context, list):
                return obj["q"], tuple(_turn(item) for item in context if _turn(item).question)
    return line, ()


def _turn(item: object) -> Turn:
    """An earlier question, or {"q": question, "answer": the reply} when the reply is known."""
    if isinstance(item, dict):
        return Turn(str(item.get("q") or ""), str(item.get("answer") or ""))
    return Turn(str(item) if item is not None else "")


def with_answers(core: BotCore, turns: tuple[Turn, ...], actor: Actor) -> tuple[Turn, ...]:
    """The earlier turns with the bot's own answer where none was given: each earlier
    question is asked in its conversation, as it was in a chat (its answer's document and
    names help read the follow-up)."""
    filled: list[Turn] = []
    for turn in turns:
        if not turn.answer:
            try:
                answer = core.ask(Question(turn.question, actor=actor, context=tuple(filled)))
                turn = Turn(turn.question, answer.lead if answer.answered else "")
            except QuestionError:
                pass  # an unreadable earlier question still counts as a turn
        filled.append(turn)
    return tuple(filled)


def _emit(
    result: Answer | QuestionError, question: str, as_json: bool, console: Console, verbose: bool = False
) -> None:
    if as_json:
        obj = answer_to_json(result) if isinstance(result, Answer) else error_to_json(question, str(result))
        # bytes, so the line is UTF-8 whatever the terminal's encoding
        click.echo(valid_text(json.dumps(obj, ensure_ascii=False)).encode("utf-8"))
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
@click.option(
    "--context",
    "context",
    multiple=True,
    metavar="EARLIER",
    help="An earlier question of the conversation (repeatable, oldest first): QUESTION may be a follow-up.",
)
@pass_app
def ask(
    app: AppContext, question: str, as_json: bool, top_k: int | None, verbose: bool, context: tuple[str, ...]
) -> None:
    """Answer QUESTION from the documents, with citations. Use - to read one question per line from stdin
    (a line may be a JSON object {"q": "...", "context": ["earlier question", ...]})."""
    console = Console()  # wraps at the terminal's width: soft_wrap would crop the panels
    turns = tuple(Turn(valid_text(c)) for c in context if c.strip())
    core = app.core()
    actor = app.cli_actor()
    if question != "-":
        question = valid_text(question)
        answer = core.ask(Question(question, actor=actor, top_k=top_k, context=with_answers(core, turns, actor)))
        _emit(answer, question, as_json, console, verbose)
        return
    turns = with_answers(core, turns, actor)
    for batch in _stdin_batches():
        parsed = [parse_line(line) for line in batch]
        contexts = [with_answers(core, turns + c, actor) if c else turns for _, c in parsed]
        results = core.ask_many(
            [Question(q, actor=actor, top_k=top_k, context=c) for (q, _), c in zip(parsed, contexts)]
        )
        for (q, _), result in zip(parsed, results):
            _emit(result, q, as_json, console, verbose)
        sys.stdout.flush()


def register(group: click.Group) -> None:
    group.add_command(ask)

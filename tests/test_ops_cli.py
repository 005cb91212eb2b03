"""`callbot gaps` and `callbot feedback` read the feedback database the bot writes."""

from __future__ import annotations

from click.testing import CliRunner

from bot.app import App
from bot.cli.context import AppContext
from bot.cli.main import cli
from bot.ops.feedback import feedback_db_path, open_feedback_store
from bot.types import Actor, Question


def invoke(core, *args: str):
    app = AppContext.around(App(core.settings, core))
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def test_commands_say_when_nothing_was_recorded(make_core) -> None:
    core = make_core()
    for command in ("gaps", "feedback"):
        result = invoke(core, command)
        assert result.exit_code == 0
        assert "No feedback recorded yet" in result.output
    assert not feedback_db_path(core.settings).exists()  # reading never creates the database


def test_gaps_and_feedback_report_what_the_bot_recorded(make_core) -> None:
    core = make_core()
    store = open_feedback_store(core.settings)
    user = Actor("discord", "42")
    for text in ("What is the weather on Mars?", "weather on Mars", "What is the weather on Mars"):
        answer = core.ask(Question(text, user))
        assert not answer.answered
        store.record_answer(answer, "discord", "42")
    good = store.record_answer(core.ask(Question("What is the Paris Call?", user)), "discord", "42")
    store.vote(good, "discord", "42", True)
    store.vote(good, "discord", "43", False)

    gaps = invoke(core, "gaps", "--limit", "5")
    assert gaps.exit_code == 0, gaps.output
    lines = gaps.output.splitlines()
    assert lines[0].split() == ["asked", "question"]
    assert lines[1].split()[0] == "3" and "Mars" in lines[1]
    assert "declined 3, voted not helpful 0" in lines[2]
    assert any("What is the Paris Call?" in line for line in lines)  # one user voted it not helpful

    rates = invoke(core, "feedback")
    assert rates.exit_code == 0, rates.output
    header, row = rates.output.splitlines()
    assert header.split()[:2] == ["day", "index"]
    assert row.split()[1:] == [core.index_version, "4", "3", "2", "50%"]


def test_gaps_options_are_validated(make_core) -> None:
    result = CliRunner().invoke(cli, ["gaps", "--limit", "0"], obj=AppContext())
    assert result.exit_code == 2 and "--limit" in result.output

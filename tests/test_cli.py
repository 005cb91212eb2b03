"""The `callbot` CLI contract, in process on the fake embedder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.app import App
from bot.cli.context import AppContext
from bot.cli.main import cli, main


@pytest.fixture
def run_cli(make_core):
    core = make_core()

    def invoke(*args: str, input: str | None = None):
        app = AppContext.around(App(core.settings, core))
        return CliRunner().invoke(cli, list(args), obj=app, input=input, catch_exceptions=False)

    invoke.core = core
    return invoke


def test_ask_json_contract(run_cli):
    result = run_cli("ask", "--json", "What about hack-back by non-state actors?")
    assert result.exit_code == 0
    obj = json.loads(result.output)
    assert set(obj) >= {"question", "answered", "passages"}
    assert obj["question"] == "What about hack-back by non-state actors?"
    assert obj["answered"] is True
    assert 1 <= len(obj["passages"]) <= 3
    for p in obj["passages"]:
        assert isinstance(p["text"], str) and isinstance(p["score"], float)
        for key in ("title", "publisher", "date", "source"):
            assert isinstance(p[key], str)
    assert [p["score"] for p in obj["passages"]] == sorted((p["score"] for p in obj["passages"]), reverse=True)


def test_ask_json_lists_candidates_even_when_declining(run_cli):
    obj = json.loads(run_cli("ask", "--json", "Which football team won the match yesterday?").output)
    assert obj["answered"] is False
    assert obj["passages"]


def test_ask_top_k(run_cli):
    obj = json.loads(run_cli("ask", "--json", "--top-k", "5", "hack-back").output)
    assert len(obj["passages"]) == 5


def test_ask_stdin_answers_each_line(run_cli):
    result = run_cli("ask", "--json", "-", input="hack-back\n\nelectoral interference\n   \nQ3 intellectual property\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"] for line in lines] == ["hack-back", "electoral interference", "Q3 intellectual property"]


def test_ask_plain_text_marks_the_best_sentence_and_cites(run_cli):
    out = run_cli("ask", "hack-back by non-state actors").output
    assert "**" in out and " — " in out


def test_principles_and_sources_commands(run_cli):
    out = run_cli("principles").output
    assert out.count("\n") >= 9 and "8." in out
    assert "hacking-back" in run_cli("principles", "8").output
    assert run_cli("principle", "8").output == run_cli("principles", "8").output  # what people type
    assert "World Economic Forum" in run_cli("sources").output


def test_chat_piped_answers_each_line_and_exits(run_cli):
    result = run_cli("chat", input="principle 3\nWho opted out of the Call?\n")
    assert result.exit_code == 0
    assert "electoral" in result.output.lower()
    assert "Q: Who opted out of the Call?" in result.output


def test_index_status(run_cli):
    out = run_cli("index", "status").output
    assert "up to date" in out and run_cli.core.index_version in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ask", ""], "Please ask a question"),
        (["ask", "--bogus", "x"], "No such option"),
        (["principles", "12"], "from 1 to 9"),
        (["eval", "/nonexistent.jsonl"], "does not exist"),
        (["ask"], "Missing argument"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_non_zero(run_cli, capsys, monkeypatch, argv, message):
    core = run_cli.core
    from bot.cli import context

    monkeypatch.setattr(context.AppContext, "core", lambda self, start=True, log_level=None: core)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_help_starts_without_loading_a_model():
    code = (
        "import sys, runpy; sys.argv=['callbot','--help'];\n"
        "try: runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy = ('torch', 'onnxruntime', 'sentence_transformers', 'faiss')\n"
        "print('LOADED' if any(m in sys.modules for m in heavy) else 'CLEAN')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "Usage" in out and out.strip().endswith("CLEAN")


@pytest.mark.parametrize("argv", [["principles"], ["principles", "3"], ["sources"], ["index", "status"]])
def test_reference_commands_load_no_model(make_core, argv):
    core = make_core()  # builds an index on disk for `sources`
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['callbot', '--knowledge', {str(core.settings.knowledge_path)!r}, "
        f"'--index', {str(core.settings.index_path)!r}, *{argv!r}]\n"
        "try:\n    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "print('HEAVY', [m for m in ('torch', 'onnxruntime', 'sentence_transformers', 'faiss') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "HEAVY []"


def test_ask_json_a_french_question_is_answered_in_french(run_cli):
    obj = json.loads(run_cli("ask", "--json", "Qui a lancé l'Appel de Paris ?").output)
    assert obj["language"] == "fr" and obj["question"] == "Qui a lancé l'Appel de Paris ?"
    assert obj["answered"] is True and obj["passages"]
    english = json.loads(run_cli("ask", "--json", "Who launched the Paris Call?").output)
    assert english["language"] == "en"


def test_ask_a_french_off_topic_question_is_declined_in_french(run_cli):
    result = run_cli("ask", "Quel temps fera-t-il à Paris demain ?")
    assert result.exit_code == 0
    assert result.output.startswith("Les documents dont je dispose") and "Je peux répondre" in result.output


def test_chat_piped_french_help_and_question(run_cli):
    result = run_cli("chat", input="aide\nQui a lancé l'Appel de Paris ?\nQuel temps fera-t-il à Paris demain ?\n")
    assert result.exit_code == 0
    assert "en français ou en anglais" in result.output and "aide" in result.output
    assert "Q: Qui a lancé l'Appel de Paris ?" in result.output
    assert "Les documents dont je dispose ne traitent pas de cette question." in result.output


def test_every_terminal_hint_names_a_callbot_command_that_exists() -> None:
    import re

    from bot.cli.main import cli
    from bot.render.common import CONSOLE_HINTS

    said = " ".join([*CONSOLE_HINTS.suggestions(), CONSOLE_HINTS.fill(CONSOLE_HINTS.list_principles)])
    named = re.findall(r"`callbot ([a-z-]+)", said)
    assert {"principles", "sources"} <= set(named)
    assert all(cli.get_command(None, name) is not None for name in named)  # type: ignore[arg-type]

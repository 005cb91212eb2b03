"""Attacks on the CLI (issue 15, item 8): `ask --json` must print valid UTF-8 JSON.

A question with bytes that are not UTF-8 (argv and stdin alike) used to come out as the
raw bytes, so a UTF-8 reader could not parse the line. Each test runs the real `callbot`
entry point in a subprocess with real bytes on its argv or stdin and real pipes, on a
core prepared with the fake embedder (the index is built by the fixture beforehand).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

CHILD = """
import sys
from bot.app import create_app
from bot.cli.context import AppContext
from bot.cli.main import cli
from bot.config import Settings
from tests.fake_embedder import FakeEmbedder

settings = Settings.model_validate({"knowledge_dir": sys.argv[1], "index_dir": sys.argv[2]})
app = AppContext.around(create_app(settings, embedder=FakeEmbedder()))
cli.main(args=sys.argv[3:], prog_name="callbot", obj=app, standalone_mode=False)
"""


@pytest.fixture
def callbot(make_core):
    core = make_core()  # builds the index once, on the fake embedder

    def run(*args: bytes | str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-c", CHILD, str(core.settings.knowledge_path), str(core.settings.index_path), *args]
        return subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            timeout=120,
            cwd=REPO,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(REPO)},
        )

    return run


def _json_lines(out: bytes) -> list[dict]:
    text = out.decode("utf-8")  # strict: raises on any byte sequence that is not UTF-8
    return [json.loads(line) for line in text.splitlines()]


def test_ask_json_with_an_invalid_byte_on_argv_prints_utf8_json(callbot) -> None:
    result = callbot("ask", "--json", b"who launched \xff the Paris Call?")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    (obj,) = _json_lines(result.stdout)
    assert obj["question"] == "who launched \ufffd the Paris Call?"  # the bad byte, replaced
    assert obj["passages"]


def test_ask_json_with_invalid_bytes_on_stdin_prints_utf8_json(callbot) -> None:
    stdin = b"who launched \xff the Paris Call?\n\xc3\x28 hack-back\nelectoral interference \xed\xa0\x80\n"
    result = callbot("ask", "--json", "-", stdin=stdin)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    questions = [obj["question"] for obj in _json_lines(result.stdout)]
    assert questions == [
        "who launched \ufffd the Paris Call?",
        "\ufffd( hack-back",
        "electoral interference \ufffd\ufffd\ufffd",
    ]

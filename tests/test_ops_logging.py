"""Secrets never reach the logs; one structured log line per question, text per config."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import LoggingConfig, Settings
from bot.logging_setup import setup_logging
from bot.ops.question_log import LOGGER_NAME, QuestionLog, shown_text
from bot.ops.redact import REDACTED, RedactingFilter
from bot.types import Actor, Question

REPO = Path(__file__).resolve().parents[1]
# Values chosen so only some match a token pattern: the others must be caught by value.
SECRETS = {
    "DISCORD_TOKEN": "MTA1NjQ4OTg3NjU0MzIxMDk4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123",
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-AbCdEfGhIjKl",
    "SLACK_APP_TOKEN": "xapp-1-A0TEST-3333-deadbeefcafe",
    "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
    "SLACK_CLIENT_SECRET": "client-secret-Zq9wPl",
    "CALLBOT_FEEDBACK_SALT": "salty-salt-value-77",
}
UNCONFIGURED_TOKEN = "xoxp-9999-8888-unrelatedtoken"  # not in any env var: caught by its shape


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


@pytest.fixture
def restore_logging():
    """The root logger's handlers and level as they were before the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def bot_handlers_only() -> None:
    """Drop pytest's capture handlers for this test: they would format records (and fail on
    bad %-args) before the bot's handler and its filter see them."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if not getattr(handler, "_callbot", False):
            root.removeHandler(handler)


def leaked(text: str) -> list[str]:
    return [s for s in [*SECRETS.values(), UNCONFIGURED_TOKEN] if s in text]


def emit_everything(log: logging.Logger) -> None:
    """Secrets in the message, in %-args, in structured fields, in exceptions and causes."""
    s = SECRETS
    log.debug("discord token is %s", s["DISCORD_TOKEN"])
    log.info(f"connecting with {s['SLACK_BOT_TOKEN']} and {UNCONFIGURED_TOKEN}")
    log.info("headers %r", {"Authorization": f"Bearer {s['SLACK_APP_TOKEN']}"})
    log.warning("signing secret %s, client secret %s", s["SLACK_SIGNING_SECRET"], s["SLACK_CLIENT_SECRET"])
    log.info("fields", extra={"fields": {"salt": s["CALLBOT_FEEDBACK_SALT"]}})
    log.info("mismatched args %s %s", s["SLACK_SIGNING_SECRET"])  # logging would dump args raw
    try:
        try:
            raise KeyError(s["SLACK_CLIENT_SECRET"])
        except KeyError as cause:
            raise RuntimeError(f"login failed for {s['DISCORD_TOKEN']}") from cause
    except RuntimeError:
        log.exception("could not start with %s", s["SLACK_BOT_TOKEN"])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_redacted_everywhere(fmt, secrets_env, restore_logging, capsys) -> None:
    setup_logging(LoggingConfig(level="DEBUG", format=fmt), settings=Settings())
    bot_handlers_only()
    emit_everything(logging.getLogger("callbot.test"))
    err = capsys.readouterr().err
    assert leaked(err) == []
    assert err.count(REDACTED) >= 10
    assert "discord token is [redacted]" in err
    assert "RuntimeError" in err  # the exception is still reported, only without the secret
    if fmt == "json":
        lines = [json.loads(line) for line in err.splitlines()]
        assert len(lines) == 7
        assert lines[4]["salt"] == REDACTED
        assert lines[-1]["error"] == f"RuntimeError: login failed for {REDACTED}"
    else:
        assert "Traceback" in err and "KeyError" in err


def test_env_names_come_from_the_config(monkeypatch, restore_logging, capsys) -> None:
    monkeypatch.setenv("MY_DISCORD_VAR", "plain-custom-secret-value")
    monkeypatch.setenv("DISCORD_TOKEN", "default-name-not-used-here")
    settings = Settings(discord={"token_env": "MY_DISCORD_VAR"})
    setup_logging(settings.logging, level="INFO", settings=settings)
    logging.getLogger("callbot.test").info("a %s b %s", "plain-custom-secret-value", "default-name-not-used-here")
    err = capsys.readouterr().err
    assert "plain-custom-secret-value" not in err
    assert "default-name-not-used-here" in err  # not a configured secret: left alone


def test_setup_logging_without_settings_still_redacts_default_names(secrets_env, restore_logging, capsys) -> None:
    setup_logging(LoggingConfig(level="INFO"))
    logging.getLogger("callbot.test").info("secret %s", secrets_env["SLACK_SIGNING_SECRET"])
    assert secrets_env["SLACK_SIGNING_SECRET"] not in capsys.readouterr().err


def test_filter_unit_behaviour() -> None:
    f = RedactingFilter(["abcdef-secret", "abc", ""])
    assert f.redact("x abcdef-secret y") == f"x {REDACTED} y"
    assert f.redact("abc is too short to be treated as a secret") == "abc is too short to be treated as a secret"
    assert f.redact("token xoxb-12-34-abcd end") == f"token {REDACTED} end"
    assert f.redact("module.path.name and 1.2.3") == "module.path.name and 1.2.3"


def _env_for_subprocess(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"knowledge_dir: {REPO / 'knowledge'}\nindex_dir: {tmp_path / 'index'}\nlogging:\n  level: DEBUG\n",
        encoding="utf-8",
    )
    env = {**os.environ, **SECRETS, "CALLBOT_CONFIG": str(config), "PYTHONPATH": str(REPO)}
    return env


def test_cli_run_with_secrets_in_env_logs_none(tmp_path: Path) -> None:
    env = _env_for_subprocess(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "principles"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "1." in done.stdout or "1 " in done.stdout
    assert leaked(done.stdout + done.stderr) == []


CANARY = """
import logging, os, runpy, sys
import bot.logging_setup as setup
real = setup.setup_logging
def noisy(cfg, level=None, settings=None):
    real(cfg, level="DEBUG", settings=settings)
    log = logging.getLogger("canary")
    log.debug("environment: %s", dict(os.environ))
    try:
        raise RuntimeError(os.environ["SLACK_SIGNING_SECRET"])
    except RuntimeError:
        log.exception("boom %s", os.environ["DISCORD_TOKEN"])
setup.setup_logging = noisy
sys.argv = ["callbot", "principles", "1"]
runpy.run_module("bot", run_name="__main__")
"""


def test_cli_logging_setup_redacts_even_a_dump_of_the_environment(tmp_path: Path) -> None:
    """The real CLI path (AppContext.core -> setup_logging) with a canary that logs every
    env var at DEBUG right after the bot configured logging."""
    env = _env_for_subprocess(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", CANARY], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "environment:" in done.stderr and "boom [redacted]" in done.stderr  # the canary did log
    assert "SLACK_SIGNING_SECRET" in done.stderr  # names are fine; values are not
    assert leaked(done.stdout + done.stderr) == []


# -- the question log -------------------------------------------------------------------------
LONG = "What does the Paris Call say about protecting the public core of the internet " * 3


def _records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME]


@pytest.mark.parametrize("mode", ["off", "truncated", "full"])
def test_question_text_modes(mode, caplog) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    QuestionLog(mode).log("discord", "answered", 0.1234, LONG, "v1")
    [record] = _records(caplog)
    fields, message = record.fields, record.getMessage()
    assert fields["platform"] == "discord" and fields["outcome"] == "answered"
    assert fields["latency_seconds"] == 0.1234 and fields["index_version"] == "v1"
    assert "platform=discord" in message and "outcome=answered" in message
    if mode == "off":
        assert "question" not in fields and "Paris" not in message
    elif mode == "truncated":
        assert fields["question"] == LONG[:80] + "…" and len(fields["question"]) == 81
        assert LONG[:80] in message and LONG.strip() not in message
    else:
        assert fields["question"] == " ".join(LONG.split())
        assert fields["question"] in message


def test_question_text_cannot_forge_log_lines(caplog) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    QuestionLog("full").log("slack", "declined", 0.2, 'hi\n2025-01-01 ERROR fake: "injected"')
    [record] = _records(caplog)
    assert "\n" not in record.getMessage()


def test_shown_text_short_question_untouched() -> None:
    assert shown_text("  What  is it? ", "truncated") == "What is it?"
    assert shown_text("x" * 80, "truncated") == "x" * 80
    with pytest.raises(ValueError):
        QuestionLog("some")  # type: ignore[arg-type]


def test_attach_logs_one_line_per_answer(make_core, caplog) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    core = make_core()
    QuestionLog("off").attach(core)
    core.ask(Question("What is the Paris Call?", Actor("discord", "1")))
    core.ask(Question("What is the weather on Mars tomorrow?", Actor("slack", "2")))
    records = _records(caplog)
    assert [(r.fields["platform"], r.fields["outcome"]) for r in records] == [
        ("discord", "answered"),
        ("slack", "declined"),
    ]
    assert all(r.fields["latency_seconds"] >= 0 and r.fields["index_version"] == core.index_version for r in records)


def test_question_log_with_the_json_formatter(restore_logging, capsys) -> None:
    setup_logging(LoggingConfig(level="INFO", format="json"))
    QuestionLog("truncated").log("discord", "refused", None, "Is xoxb-1-2-abcdefgh a token?")
    [line] = capsys.readouterr().err.splitlines()
    entry = json.loads(line)
    assert entry["logger"] == LOGGER_NAME and entry["outcome"] == "refused" and entry["platform"] == "discord"
    assert entry["question"] == f"Is {REDACTED} a token?"  # fields pass through redaction too
    assert "latency_seconds" not in entry

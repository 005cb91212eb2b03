"""Keep secrets out of logs: a filter on the bot's log handler.

Tokens leak into logs in ways nobody plans: an exception message quoting a URL with a
token, a library logging its request headers at DEBUG, a config object in an f-string.
This filter rewrites each record before it is formatted: the values of the environment
variables the config names (bot tokens, app token, signing and client secrets, feedback
salt), plus anything shaped like a Slack or Discord token, become `[redacted]` in the
message, its arguments, the exception text, the stack text and structured fields.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 6  # shorter values would blank out ordinary words in every line
_PATTERNS = re.compile(
    r"(?<![A-Za-z0-9])(?:xox[abprs]|xapp)-[A-Za-z0-9-]{4,}"  # Slack bot/user/app tokens
    r"|(?<![\w.-])[\w-]{20,}\.[\w-]{6,}\.[\w-]{27,}"  # Discord bot tokens (also JWT-shaped)
)
_formatter = logging.Formatter()


def secret_env_names(settings: Settings) -> tuple[str, ...]:
    """The environment variables whose values must never be logged."""
    return (
        settings.discord.token_env,
        settings.slack.bot_token_env,
        settings.slack.app_token_env,
        settings.slack.signing_secret_env,
        settings.slack.client_secret_env,
        settings.feedback.salt_env,
    )


class RedactingFilter(logging.Filter):
    """Rewrites records in place (later handlers see the redacted record too)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        values = {v for s in secrets if s for v in (s, s.strip()) if len(v) >= MIN_SECRET_CHARS}
        ordered = sorted(values, key=len, reverse=True)  # a secret containing another goes first
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def redact(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        return _PATTERNS.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: logging would print msg and args raw in handleError
            message = f"{record.msg!s} (log arguments did not match: {record.args!r})"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = _formatter.formatException(record.exc_info)
        record.exc_info = None  # formatters use exc_text; a raw exception could bypass us
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {k: self.redact(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


def build_filter(settings: Settings | None = None) -> RedactingFilter:
    """A filter for the secrets currently in the environment variables the config names."""
    if settings is None:
        from bot.config import Settings

        settings = Settings()
    return RedactingFilter(os.environ.get(name, "") for name in secret_env_names(settings))


def install_redaction(settings: Settings | None = None) -> RedactingFilter:
    """Put one fresh filter on each of the bot's root handlers (those setup_logging made)."""
    redactor = build_filter(settings)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_callbot", False):
            for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
                handler.removeFilter(old)
            handler.addFilter(redactor)
    return redactor

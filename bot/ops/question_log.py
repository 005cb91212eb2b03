"""One log line per question: platform, outcome, latency and (per config) the text.

Operators need to see traffic and slow answers; how much of what users typed ends up in
log files is a privacy choice, hence `logging.question_text` (off | truncated | full).
Structured fields go in `record.fields`, which the JSON formatter merges into its object;
the text formatter gets them in the message, with the question JSON-quoted so a newline
typed by a user cannot forge a second log line. User ids are never logged here.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Literal

from bot.types import Answer, Question

if TYPE_CHECKING:
    from bot.core import BotCore

LOGGER_NAME = __name__  # the question stream: filter on this name
TRUNCATE_AT = 80
TextMode = Literal["off", "truncated", "full"]


def printable(text: str) -> str:
    """Lone surrogates (possible in text decoded from platform JSON) as "?": a log stream
    encoding UTF-8 strictly would otherwise drop the whole line."""
    return text.encode("utf-8", "replace").decode("utf-8")


def shown_text(text: str, mode: TextMode) -> str | None:
    """The question as the log may show it: None (off), 80 characters + "…", or all."""
    if mode == "off":
        return None
    text = " ".join(printable(text).split())
    if mode == "truncated" and len(text) > TRUNCATE_AT:
        return text[:TRUNCATE_AT] + "…"
    return text


def _quoted(key: str, value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if key == "question" else str(value)


class QuestionLog:
    """Logs to LOGGER_NAME at INFO; `attach(core)` covers every answered question."""

    def __init__(self, mode: TextMode = "truncated", logger: logging.Logger | None = None) -> None:
        if mode not in ("off", "truncated", "full"):
            raise ValueError(f"unknown question_text mode {mode!r}")
        self.mode = mode
        self.logger = logger or logging.getLogger(LOGGER_NAME)

    def log(
        self,
        platform: str,
        outcome: str,
        seconds: float | None,
        text: str | None = None,
        index_version: str | None = None,
    ) -> None:
        """One line; adapters call this for questions refused or failed before the core."""
        fields: dict[str, object] = {"platform": platform, "outcome": outcome}
        if seconds is not None:
            fields["latency_seconds"] = round(seconds, 4)
        if index_version:
            fields["index_version"] = index_version
        shown = shown_text(text, self.mode) if text is not None else None
        if shown is not None:
            fields["question"] = shown
        line = " ".join(f"{key}={_quoted(key, value)}" for key, value in fields.items())
        self.logger.info("question %s", line, extra={"fields": fields})

    def attach(self, core: BotCore) -> None:
        """Log every answer the core returns (answered or declined)."""

        def listener(question: Question, answer: Answer, seconds: float) -> None:
            try:
                outcome = answer.outcome
                self.log(question.actor.platform, outcome, seconds, question.text, answer.index_version)
            except Exception:  # logging must never cost a user their answer
                logging.getLogger(__name__).exception("could not log a question")

        core.add_listener(listener)

"""The Call's nine principles, from knowledge/principles.yaml."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ConfigError, QuestionError
from bot.types import Principle


def load_principles(path: Path) -> tuple[Principle, ...]:
    """Parse and check the principles file (numbered 1..N, each with title and text)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"principles file not found: {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise ConfigError(f"{path}: not valid YAML.") from None
    try:
        source = data.get("source", {})
        principles = tuple(
            Principle(
                number=int(item["number"]),
                title=str(item["title"]),
                text=str(item["text"]),
                source_title=str(source.get("title", "")),
                source_publisher=str(source.get("publisher", "")),
                source_date=str(source.get("date", "")),
            )
            for item in data["principles"]
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ConfigError(f"{path}: each principle needs a number, a title and a text.") from None
    if [p.number for p in principles] != list(range(1, len(principles) + 1)):
        raise ConfigError(f"{path}: principles must be numbered 1, 2, 3... in order.")
    return principles


def pick(principles: tuple[Principle, ...], number: int) -> Principle:
    """Principle `number`, or a polite QuestionError naming the valid range."""
    if not 1 <= number <= len(principles):
        raise QuestionError(f"There are {len(principles)} principles: pick a number from 1 to {len(principles)}.")
    return principles[number - 1]

"""Logging set-up: text or JSON lines on stderr, quiet third-party libraries."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from bot.config import LoggingConfig, Settings


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info or record.exc_text:  # exc_text: already formatted (and redacted)
            text = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
            entry["error"] = (text.splitlines() or [""])[-1]
        return json.dumps(entry, ensure_ascii=False)


class _NoVoiceNotice(logging.Filter):
    """discord.py warns at every start that voice support is missing; callbot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


def setup_logging(cfg: LoggingConfig, level: str | None = None, settings: Settings | None = None) -> None:
    """Configure the root logger once; `level` overrides the config (e.g. quiet CLI).

    The handler redacts the secrets named by `settings` (default: the default env names).
    """
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_callbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._callbot = True  # type: ignore[attr-defined]
    if cfg.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    from bot.ops.redact import install_redaction

    install_redaction(settings)
    root.setLevel(level or cfg.level)
    discord_client = logging.getLogger("discord.client")
    if not any(isinstance(f, _NoVoiceNotice) for f in discord_client.filters):
        discord_client.addFilter(_NoVoiceNotice())
    for noisy in ("sentence_transformers", "transformers", "httpx", "urllib3", "bm25s", "faiss", "discord.gateway"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Logging set-up: text or JSON lines on stderr, quiet third-party libraries."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from bot.config import LoggingConfig


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
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(cfg: LoggingConfig, level: str | None = None) -> None:
    """Configure the root logger once; `level` overrides the config (e.g. quiet CLI)."""
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
    root.setLevel(level or cfg.level)
    for noisy in ("sentence_transformers", "transformers", "httpx", "urllib3", "bm25s", "faiss", "discord.gateway"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

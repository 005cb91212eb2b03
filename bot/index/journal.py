"""The operation journal: what a knowledge operation meant to do, kept until it is finished.

An admin operation (add, remove, build, rollback) writes its intent here before it touches
anything, names the version it is about to promote just before promoting it, and removes
the journal when its audit row is written. A `kill -9` at any point leaves the journal
behind, so the next start knows the operation was cut short and whether its version was
promoted (finish it) or not (it changed nothing that serves: roll it back).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from bot.types import Actor

JOURNAL = "OPERATION.json"
COMPLETED = "completed at recovery"
ROLLED_BACK = "interrupted; rolled back"


@dataclass(frozen=True)
class Intent:
    """One operation in flight. `written`/`deleted` are file names of knowledge/ that
    change at promotion; `version` is set just before the new version is promoted."""

    action: str
    target: str
    actor: Actor
    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    version: str | None = None
    started_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    op_id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Recovery:
    """What the start after a crash did with an interrupted operation."""

    intent: Intent
    outcome: str  # COMPLETED or ROLLED_BACK


class Journal:
    """One file under the index folder, replaced atomically; only the build-lock holder writes it."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / JOURNAL

    def write(self, intent: Intent) -> Intent:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{JOURNAL}.{os.getpid()}.tmp")
        data = asdict(intent)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        return intent

    def promoting(self, intent: Intent, version: str) -> Intent:
        """Record the version about to be promoted (before CURRENT moves)."""
        return self.write(replace(intent, version=version))

    def read(self) -> Intent | None:
        """The interrupted operation, or None. An unreadable journal was cut short while it
        was being written, before anything else changed: it is treated as absent."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            actor = Actor(**data.pop("actor"))
            return Intent(
                actor=actor,
                written=tuple(data.pop("written", ())),
                deleted=tuple(data.pop("deleted", ())),
                **data,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.clear()
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

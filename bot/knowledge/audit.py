"""The audit log: every admin action and refused attempt, in SQLite."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.types import Actor

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target);
"""


@dataclass(frozen=True)
class AuditEntry:
    at: str
    platform: str
    user_id: str
    user_name: str
    action: str
    target: str
    outcome: str
    detail: str


class AuditLog:
    """Append-only; one short-lived connection per call so threads and processes share it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        if not self._ready:
            conn.executescript(SCHEMA)
            self._ready = True
        return conn

    def record(self, actor: Actor, action: str, target: str, outcome: str, detail: str = "") -> None:
        """outcome: 'ok', 'refused' (validation, gate, not authorised) or 'failed' (error)."""
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO audit (at, platform, user_id, user_name, action, target, outcome, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, actor.platform, actor.user_id, actor.display_name, action, target, outcome, detail),
            )

    def entries(self, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        if not self.path.exists():
            return []
        with self._lock, self._connect() as conn:
            rows = conn.execute(
                "SELECT at, platform, user_id, user_name, action, target, outcome, detail"
                " FROM audit ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def last_added(self) -> dict[str, AuditEntry]:
        """The latest successful add of each file name (for `index list`)."""
        if not self.path.exists():
            return {}
        with self._lock, self._connect() as conn:
            rows = conn.execute(
                "SELECT at, platform, user_id, user_name, action, target, outcome, detail"
                " FROM audit WHERE action = 'add' AND outcome = 'ok' ORDER BY id"
            ).fetchall()
        return {row[5]: AuditEntry(*row) for row in rows}

"""Answer feedback in SQLite: what was served, and whether people found it helpful.

Every served answer is recorded (declined ones too: they are the clearest knowledge gaps)
under a short id that fits in a button's custom_id. Votes are keyed by (answer, user), so
repeated clicks count once and a second click can change the vote. User ids are stored
only as salted SHA-256 hashes: the database can be shared with whoever curates the
knowledge base without exposing who asked what.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.errors import CallbotError
from bot.ops.gaps import Gap, GapRow, group_gaps
from bot.ops.question_log import printable
from bot.types import Answer

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.embedding.base import Embedder

VoteListener = Callable[[bool], None]
T = TypeVar("T")
ANSWER_WAIT_SECONDS = 2.0  # an answer waits this long for a locked database, then goes without buttons
VOTE_WAIT_SECONDS = 5.0  # a vote is retried this long before the voter is asked to try again
READ_WAIT_SECONDS = 10.0
WORKERS = 4
UNKNOWN_ANSWER = "Sorry — I can't find that answer any more, so your vote was not recorded."
_GAP_ROWS = 20_000  # the most recent bad answers considered by `gaps`

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    index_version TEXT NOT NULL,
    answered INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_day_version ON answers (day, index_version);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers (id),
    user_hash TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_hash)
);
"""
_VOTES_PER_ANSWER = "SELECT answer_id, SUM(helpful) AS up, SUM(1 - helpful) AS down FROM votes GROUP BY answer_id"


@dataclass(frozen=True)
class RateRow:
    """Served answers and votes for one (UTC day, index version)."""

    day: str
    index_version: str
    answers: int
    declined: int
    helpful: int
    not_helpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_rate(self) -> float | None:
        """Share of votes that were helpful; None when nobody voted."""
        return self.helpful / self.votes if self.votes else None


def feedback_db_path(settings: Settings) -> Path:
    """`feedback.db`, or `<index_dir>/feedback.sqlite3`."""
    return Path(settings.feedback.db) if settings.feedback.db else settings.index_path / "feedback.sqlite3"


def open_feedback_store(settings: Settings) -> FeedbackStore:
    """The store the settings name, salted from `feedback.salt_env` (else a persisted salt)."""
    from bot.config import secret

    return FeedbackStore(feedback_db_path(settings), secret(settings.feedback.salt_env))


def _label(helpful: bool) -> str:
    return "helpful" if helpful else "not helpful"


class FeedbackUnavailableError(CallbotError):
    """The feedback database stayed locked (or failed) past the bounded wait."""


class FeedbackStore:
    """Thread-safe: one short connection per call; SQLite serialises the writers.

    Every write waits a bounded time for a database another process holds, then raises
    FeedbackUnavailableError: an answer is stored before its buttons go out (or goes out
    without them), and a vote that cannot be stored is reported, never dropped. The calls
    block on SQLite: from an event loop, await them through `submit`, which runs them on
    the store's own threads (a locked database then never holds the loop's default pool).
    """

    def __init__(self, path: Path, salt: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._listeners: list[VoteListener] = []
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="callbot-feedback")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._unavailable_as_error():
            with self._connect(begin=None) as db:
                db.executescript(_SCHEMA)
            with self._connect() as db:
                if not salt:
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (secrets.token_hex(32),))
                    salt = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]
        self._salt = salt

    def submit(self, call: Callable[..., T], *args: object) -> Future[T]:
        """Run one of this store's blocking calls on its own threads (`asyncio.wrap_future` it)."""
        return self._pool.submit(call, *args)

    @contextmanager
    def _connect(
        self, begin: str | None = "BEGIN IMMEDIATE", wait: float = READ_WAIT_SECONDS
    ) -> Iterator[sqlite3.Connection]:
        """A short connection; one transaction (IMMEDIATE for writes: no lost updates).
        SQLite retries a locked database for up to `wait` seconds."""
        db = sqlite3.connect(self.path, timeout=wait, isolation_level=None)
        try:
            if begin:
                db.execute(begin)
            yield db
            if db.in_transaction:
                db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        """A database error (locked past the wait, damaged) as one sentence for the caller."""
        try:
            yield
        except sqlite3.Error as err:
            raise FeedbackUnavailableError(f"the feedback database {self.path.name} is unavailable ({err})") from None

    def user_hash(self, platform: str, user_id: str) -> str:
        """Salted SHA-256 of (platform, user id): stable per salt, not reversible."""
        key = f"{self._salt}\x00{platform}\x00{user_id}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(key).hexdigest()

    def add_vote_listener(self, listener: VoteListener) -> None:
        """Called with `helpful` when a vote is new or changed (not on repeated clicks)."""
        self._listeners.append(listener)

    # -- writing --------------------------------------------------------------------------
    def record_answer(self, answer: Answer, platform: str, user_id: str) -> str:
        """Store a served answer; returns its id (12 URL-safe chars, for button custom_ids).
        FeedbackUnavailableError when the database stays locked: post without buttons."""
        now = self._clock()
        answer_id = secrets.token_urlsafe(9)
        passage_ids = json.dumps([p.passage.passage_id for p in answer.passages])
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        row = (
            answer_id,
            now,
            day,
            platform,
            self.user_hash(platform, user_id),
            printable(answer.question),
            passage_ids,
            answer.index_version,
            int(answer.answered),
        )
        with self._unavailable_as_error(), self._connect(wait=ANSWER_WAIT_SECONDS) as db:
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return answer_id

    def vote(self, answer_id: str, platform: str, user_id: str, helpful: bool) -> str:
        """Record or change one user's vote; returns a short private acknowledgement.
        FeedbackUnavailableError when the database stays locked: tell the voter to retry."""
        who = self.user_hash(platform, user_id)
        with self._unavailable_as_error(), self._connect(wait=VOTE_WAIT_SECONDS) as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return UNKNOWN_ANSWER
            before = db.execute(
                "SELECT helpful FROM votes WHERE answer_id = ? AND user_hash = ?", (answer_id, who)
            ).fetchone()
            if before is not None and bool(before[0]) == helpful:
                return f"Thanks — your vote was already noted as {_label(helpful)}."
            db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, user_hash) "
                "DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                (answer_id, who, int(helpful), self._clock()),
            )
        for listener in self._listeners:
            listener(helpful)
        if before is None:
            return f"Thanks — noted as {_label(helpful)}."
        return f"Thanks — changed your vote to {_label(helpful)}."

    # -- reading --------------------------------------------------------------------------
    def helpful_rate_by_day_and_version(self) -> list[RateRow]:
        """Answers, declines and votes per (day, index version), oldest day first."""
        with self._unavailable_as_error(), self._connect("BEGIN") as db:
            rows = db.execute(
                f"WITH v AS ({_VOTES_PER_ANSWER}) "
                "SELECT a.day, a.index_version, COUNT(*), SUM(1 - a.answered), "
                "COALESCE(SUM(v.up), 0), COALESCE(SUM(v.down), 0) "
                "FROM answers a LEFT JOIN v ON v.answer_id = a.id "
                "GROUP BY a.day, a.index_version ORDER BY a.day, a.index_version"
            ).fetchall()
        return [RateRow(*row) for row in rows]

    def gap_rows(self, max_rows: int = _GAP_ROWS) -> list[GapRow]:
        """The most recent answers that were declined or voted not helpful by someone."""
        with self._unavailable_as_error(), self._connect("BEGIN") as db:
            rows = db.execute(
                f"WITH v AS ({_VOTES_PER_ANSWER}) "
                "SELECT a.question, a.answered, COALESCE(v.down, 0) FROM answers a "
                "LEFT JOIN v ON v.answer_id = a.id WHERE a.answered = 0 OR v.down > 0 "
                "ORDER BY a.at DESC LIMIT ?",
                (max_rows,),
            ).fetchall()
        return [GapRow(question, not answered, down > 0) for question, answered, down in rows]

    def gaps(self, embedder: Embedder, limit: int = 20, threshold: float = 0.75) -> list[Gap]:
        """What people asked that the bot could not answer well, grouped, most frequent first."""
        return group_gaps(self.gap_rows(), embedder, limit=limit, threshold=threshold)

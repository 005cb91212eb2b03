"""The feedback store on a SQLAlchemy database (PostgreSQL for replicas).

Same behaviour as the SQLite store: an answer is stored before its buttons go out, a vote is
keyed by (answer, user) and changes in place, and a database that stays unavailable past the
bounded wait is one FeedbackUnavailableError. Any replica can record the vote on an answer
another one gave, and all of them hash user ids with the one salt from the environment.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, case, func, insert, literal, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql.selectable import CTE

from bot.ops.feedback import (
    _GAP_ROWS,
    UNKNOWN_ANSWER,
    WORKERS,
    FeedbackStore,
    FeedbackUnavailableError,
    RateRow,
    VoteListener,
    _label,
)
from bot.ops.gaps import GapRow
from bot.ops.question_log import printable
from bot.storage.schema import answers, meta, votes
from bot.types import Answer


class SqlFeedbackStore(FeedbackStore):
    """Thread-safe through the engine's connection pool; one transaction per call."""

    def __init__(self, engine: Engine, salt: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.path = Path(engine.url.render_as_string(hide_password=True))  # shown in messages only
        self._clock = clock
        self._listeners: list[VoteListener] = []
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="callbot-feedback")
        if not salt:
            with self._unavailable_as_error(), self._begin() as conn:
                found = conn.execute(select(meta.c.value).where(meta.c.key == "salt")).scalar()
                if found is None:
                    found = secrets.token_hex(32)
                    conn.execute(insert(meta).values(key="salt", value=found))
                salt = found
        self._salt = salt

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as err:
            reason = str(err.__cause__ or err).splitlines()[0]
            raise FeedbackUnavailableError(f"the feedback database is unavailable ({reason})") from None

    def record_answer(self, answer: Answer, platform: str, user_id: str) -> str:
        now = self._clock()
        answer_id = secrets.token_urlsafe(9)
        row = {
            "id": answer_id,
            "at": now,
            "day": time.strftime("%Y-%m-%d", time.gmtime(now)),
            "platform": platform,
            "user_hash": self.user_hash(platform, user_id),
            "question": printable(answer.question),
            "passage_ids": json.dumps([p.passage.passage_id for p in answer.passages]),
            "index_version": answer.index_version,
            "answered": int(answer.answered),
        }
        with self._unavailable_as_error(), self._begin() as conn:
            conn.execute(insert(answers).values(**row))
        return answer_id

    def vote(self, answer_id: str, platform: str, user_id: str, helpful: bool) -> str:
        who = self.user_hash(platform, user_id)
        where = and_(votes.c.answer_id == answer_id, votes.c.user_hash == who)
        with self._unavailable_as_error():
            for attempt in range(2):  # a concurrent first vote by the same person: read it back once
                try:
                    with self._begin() as conn:
                        if conn.execute(select(literal(1)).where(answers.c.id == answer_id)).first() is None:
                            return UNKNOWN_ANSWER
                        before = conn.execute(select(votes.c.helpful).where(where).with_for_update()).scalar()
                        if before is not None and bool(before) == helpful:
                            return f"Thanks — your vote was already noted as {_label(helpful)}."
                        if before is None:
                            conn.execute(
                                insert(votes).values(
                                    answer_id=answer_id, user_hash=who, helpful=int(helpful), at=self._clock()
                                )
                            )
                        else:
                            conn.execute(votes.update().where(where).values(helpful=int(helpful), at=self._clock()))
                    break
                except IntegrityError:
                    if attempt:
                        raise
        for listener in self._listeners:
            listener(helpful)
        if before is None:
            return f"Thanks — noted as {_label(helpful)}."
        return f"Thanks — changed your vote to {_label(helpful)}."

    def _per_answer(self) -> CTE:
        return (
            select(
                votes.c.answer_id,
                func.sum(votes.c.helpful).label("up"),
                func.sum(1 - votes.c.helpful).label("down"),
            )
            .group_by(votes.c.answer_id)
            .cte("v")
        )

    def helpful_rate_by_day_and_version(self) -> list[RateRow]:
        v = self._per_answer()
        query = (
            select(
                answers.c.day,
                answers.c.index_version,
                func.count(),
                func.sum(1 - answers.c.answered),
                func.coalesce(func.sum(v.c.up), 0),
                func.coalesce(func.sum(v.c.down), 0),
            )
            .select_from(answers.outerjoin(v, v.c.answer_id == answers.c.id))
            .group_by(answers.c.day, answers.c.index_version)
            .order_by(answers.c.day, answers.c.index_version)
        )
        with self._unavailable_as_error(), self._begin() as conn:
            rows = conn.execute(query).all()
        return [RateRow(day, version, int(n), int(d or 0), int(up), int(down)) for day, version, n, d, up, down in rows]

    def gap_rows(self, max_rows: int = _GAP_ROWS) -> list[GapRow]:
        v = self._per_answer()
        down = func.coalesce(v.c.down, 0)
        query = (
            select(answers.c.question, answers.c.answered, case((down > 0, 1), else_=0))
            .select_from(answers.outerjoin(v, v.c.answer_id == answers.c.id))
            .where((answers.c.answered == 0) | (v.c.down > 0))
            .order_by(answers.c.at.desc())
            .limit(max_rows)
        )
        with self._unavailable_as_error(), self._begin() as conn:
            rows = conn.execute(query).all()
        return [GapRow(question, not answered, bool(bad)) for question, answered, bad in rows]

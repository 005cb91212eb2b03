"""The asking path both chat platforms share (`bot.adapters.asking`), on a real core."""

from __future__ import annotations

import pytest

from bot.adapters.asking import Asking, PrincipleShown, Refusal, Served
from bot.ops.shutdown import InFlight, ShuttingDown
from bot.ratelimit import RateLimiter
from bot.render.common import passage_key, passage_ref
from bot.types import Actor

ALICE = Actor("test", "u1", "alice")
QUESTION = "Who launched the Paris Call for Trust and Security in Cyberspace?"


def asking_for(core, limit: int = 2) -> Asking:
    return Asking(core, None, "test", RateLimiter(limit, 60), InFlight())


def test_checks_come_in_order_and_a_restart_uses_up_nobodys_limit(make_core) -> None:
    core, limiter = make_core(), RateLimiter(1, 60)
    stopping_bot = Asking(core, None, "test", limiter, InFlight())
    stopping_bot.in_flight.close()
    stopping = stopping_bot.check(QUESTION, ALICE)
    assert isinstance(stopping, Refusal) and stopping.text == str(ShuttingDown()) and not stopping.rate_limited
    with pytest.raises(ShuttingDown), stopping_bot.answering(QUESTION):
        pass
    asking = Asking(core, None, "test", limiter, InFlight())  # the restarted bot, same limits
    assert asking.check("", ALICE) is not None  # empty: refused before the limit
    assert asking.check(QUESTION, ALICE) is None  # the one question of the window was not used up
    limited = asking.check(QUESTION, ALICE)
    assert isinstance(limited, Refusal) and limited.rate_limited
    assert asking.check(QUESTION, ALICE, scope="T2") is None  # another Slack team, another limit


async def test_serve_principle_and_passages(make_core) -> None:
    core = make_core()
    asking = asking_for(core)
    served = await asking.serve(QUESTION, ALICE)
    assert isinstance(served, Served) and served.answer.answered and served.feedback_id is None  # no ops
    shown = await asking.principle(8, ALICE)
    assert isinstance(shown, PrincipleShown) and shown.principle == core.principle(8) and shown.answer is not None
    missing = await asking.principle(12, ALICE)
    assert isinstance(missing, Refusal) and "9 principles" in missing.text
    assert asking.no_such_principle(12) == missing and asking.no_such_principle(3) is None
    listed = served.answer.passages[:2]
    found = asking.passages([passage_ref(p) for p in listed])
    assert [(p.passage, p.best_sentence) for p in found] == [(p.passage, p.best_sentence) for p in listed]
    assert [p.passage for p in asking.passages([passage_key(p.passage.passage_id) for p in listed])] == [
        p.passage for p in listed
    ]  # a bare key: the passage without a marked sentence
    assert asking.passages(["9999-deadbeef"]) == []  # removed since: skipped

"""Graceful shutdown: a signal lets the answer in flight finish, then the process exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.errors import CallbotError
from bot.ops.shutdown import InFlight, ShuttingDown, install_signal_handlers

REPO = Path(__file__).resolve().parents[1]

PROGRAM = """
import asyncio, shutil, sys, time
from pathlib import Path
from bot.core import BotCore
from bot.ops.shutdown import InFlight, ShuttingDown, install_signal_handlers
from bot.types import Actor, Question
from tests.conftest import KNOWLEDGE, make_settings
from tests.fake_embedder import FakeEmbedder

ANSWER_SECONDS, GRACE = float(sys.argv[1]), float(sys.argv[2])


class SlowEmbedder(FakeEmbedder):
    delay = 0.0

    def embed_batch(self, texts):
        time.sleep(self.delay)
        return super().embed_batch(texts)


def say(*words):
    print(*words, flush=True)


async def main():
    tmp = Path.cwd()  # the test's tmp_path
    shutil.copytree(KNOWLEDGE, tmp / "knowledge")
    embedder = SlowEmbedder()
    core = BotCore(make_settings(tmp, tmp / "knowledge"), embedder=embedder)
    core.start()
    embedder.delay = ANSWER_SECONDS
    in_flight, stopped = InFlight(), asyncio.Event()

    async def stop():
        say("STOP", in_flight.count)
        stopped.set()

    install_signal_handlers(asyncio.get_running_loop(), stop, in_flight=in_flight, grace_seconds=GRACE)

    async def answer():
        with in_flight:
            say("READY")
            result = await core.ask_async(Question("What is the Paris Call?", Actor("test", "u")))
            say("ANSWERED", result.answered, result.index_version)

    task = asyncio.create_task(answer())
    await stopped.wait()
    try:
        with in_flight:
            say("ACCEPTED")
    except ShuttingDown as err:
        say("REFUSED", err)
    task.cancel()


asyncio.run(main())
say("EXIT")
"""


def start(tmp_path: Path, answer_seconds: float, grace: float) -> subprocess.Popen:
    script = tmp_path / "program.py"
    script.write_text(PROGRAM, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(script), str(answer_seconds), str(grace)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_ready(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line.strip() == "READY", line + proc.stderr.read()  # type: ignore[union-attr]
    time.sleep(0.2)  # the question is now inside the (slow) embedder


def finish(proc: subprocess.Popen, timeout: float) -> tuple[list[str], str, float]:
    began = time.monotonic()
    out, err = proc.communicate(timeout=timeout)
    return out.splitlines(), err, time.monotonic() - began


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_lets_the_answer_in_flight_finish(tmp_path: Path, signum: int) -> None:
    proc = start(tmp_path, answer_seconds=1.5, grace=10)
    wait_for_ready(proc)
    proc.send_signal(signum)
    lines, err, waited = finish(proc, timeout=30)
    assert proc.returncode == 0, err
    assert lines[0].startswith("ANSWERED True v"), lines
    assert lines[1:] == ["STOP 0", "REFUSED The bot is restarting; please ask again in a minute.", "EXIT"]
    assert waited >= 0.5  # it really waited for the answer


def test_the_wait_is_bounded(tmp_path: Path) -> None:
    proc = start(tmp_path, answer_seconds=60, grace=0.5)
    wait_for_ready(proc)
    proc.send_signal(signal.SIGTERM)
    lines, err, waited = finish(proc, timeout=30)
    assert proc.returncode == 0, err
    assert lines[0] == "STOP 1" and "EXIT" in lines and not any(line.startswith("ANSWERED") for line in lines)
    assert waited < 10
    assert "unfinished" in err


def test_a_second_signal_skips_the_wait(tmp_path: Path) -> None:
    proc = start(tmp_path, answer_seconds=60, grace=60)
    wait_for_ready(proc)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    lines, err, waited = finish(proc, timeout=30)
    assert proc.returncode == 0, err
    assert lines[0] == "STOP 1" and waited < 10


def test_in_flight_counts_and_refuses_after_close() -> None:
    in_flight = InFlight()
    with in_flight:
        with in_flight:
            assert in_flight.count == 2
        assert in_flight.count == 1
    assert in_flight.count == 0
    in_flight.close()
    assert not in_flight.accepting
    with pytest.raises(ShuttingDown) as caught, in_flight:
        pass
    assert isinstance(caught.value, CallbotError) and in_flight.count == 0


async def test_trigger_waits_for_async_work_then_stops() -> None:
    in_flight, events = InFlight(), []

    async def stop() -> None:
        events.append(("stop", in_flight.count))

    async def work() -> None:
        async with in_flight:
            await asyncio.sleep(0.3)
            events.append(("answered", in_flight.count))

    shutdown = install_signal_handlers(asyncio.get_running_loop(), stop, in_flight=in_flight, signals=())
    task = asyncio.create_task(work())
    await asyncio.sleep(0.05)
    shutdown.trigger()
    await asyncio.wait_for(shutdown.wait(), 5)
    await task
    assert events == [("answered", 1), ("stop", 0)]
    assert shutdown.requested and shutdown.signals == ()


async def test_a_failing_stop_still_completes_the_shutdown() -> None:
    async def stop() -> None:
        raise RuntimeError("client already closed")

    shutdown = install_signal_handlers(asyncio.get_running_loop(), stop, signals=())
    shutdown.trigger(signal.SIGINT)
    await asyncio.wait_for(shutdown.wait(), 5)

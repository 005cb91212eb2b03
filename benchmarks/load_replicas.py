"""Two replicas against one: the load run of `python -m benchmarks.load --replicas`.

The same load (U users x Q questions, each a Slack mention in HTTP mode, a rebuild through
`callbot index add` in the middle) goes first to one `callbot run slack` process on the
SQLite default, then to two replicas sharing a real PostgreSQL and Redis, alternating
replicas question by question. One question in ten is also redelivered as a retry to the
other replica, as Slack does when an ack is slow. Counted: answers lost (none within the
answer timeout), answers posted twice (a thread with two replies), p50/p99 from the POST to
the reply, per replica. Both runs use the fake embedder, so the figures are the cost of the
shared state and of two processes on the machine's cores, not of the model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import KNOWLEDGE, REPO
from tests.fakes.slack_server import FakeSlack
from tests.support.replicas import Replica, callbot_cli, replica_env, start_replica, stop_replica
from tests.support.servers import running_postgres, running_redis

NEW_DOC = b"# Satellite ground stations\n\nIn 2026 the Orbital Ground Station Pact bound operators of satellite ground stations to report intrusions within 24 hours. It was signed in Reykjavik.\n"


@dataclass
class Run:
    name: str
    replicas: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lost: int = 0
    twice: int = 0
    asked: int = 0
    retries: int = 0
    seconds: float = 0.0
    rebuild: str = ""

    def row(self, replica: str) -> str:
        lat = sorted(self.latencies[replica])
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
        return f"| {self.name} | {replica} | {len(lat)} | {p50:.0f} | {p99:.0f} |"


def _questions() -> list[str]:
    rows = [json.loads(line) for line in (REPO / "tests/eval/qa.jsonl").read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows]


async def _load(run: Run, fake: FakeSlack, replicas: list[Replica], env: dict, root: Path, args) -> None:  # noqa: ANN001
    questions = _questions()
    total = args.users * args.questions
    waiting: dict[str, asyncio.Future[float]] = {}
    answered = 0
    seen = 0

    async def watch() -> None:
        nonlocal seen
        while True:
            calls = fake.calls
            for call in calls[seen:]:
                ts = call.params.get("thread_ts")
                if call.method == "chat.postMessage" and ts in waiting and not waiting[ts].done():
                    waiting[ts].set_result(time.monotonic())
            seen = len(calls)
            await asyncio.sleep(0.005)

    async def user(u: int) -> None:
        nonlocal answered
        uid = f"U0L{u:04d}"
        fake.add_user(uid)
        for q in range(args.questions):
            n = u * args.questions + q
            replica = replicas[n % len(replicas)]
            event = fake.mention(questions[n % len(questions)], user=uid, channel=f"C0L{u:04d}")
            ts = event["ts"]
            waiting[ts] = asyncio.get_running_loop().create_future()
            body = fake.event_body(event)
            sent = time.monotonic()
            await fake.post_event(replica.url, body)
            run.asked += 1
            if len(replicas) > 1 and n % 10 == 0:  # Slack's retry, landing on the other replica
                await fake.post_event(replicas[(n + 1) % len(replicas)].url, body, retry_num=1)
                run.retries += 1
            try:
                done = await asyncio.wait_for(asyncio.shield(waiting[ts]), args.answer_timeout)
                run.latencies[replica.name].append(done - sent)
                answered += 1
            except TimeoutError:
                run.lost += 1

    async def rebuild() -> None:
        while answered < total // 2:
            await asyncio.sleep(0.05)
        doc = root / "new-doc.md"
        doc.write_bytes(NEW_DOC)
        started = time.monotonic()
        code, _, err = await callbot_cli(env, root, "index", "add", str(doc))
        run.rebuild = f"index add exit {code} in {time.monotonic() - started:.1f} s" + (
            f": {err[-200:]}" if code else ""
        )

    watcher = asyncio.create_task(watch())
    started = time.monotonic()
    await asyncio.gather(rebuild(), *(user(u) for u in range(args.users)))
    run.seconds = time.monotonic() - started
    await asyncio.sleep(2.0)  # a doubled answer would arrive by now
    watcher.cancel()
    per_thread = Counter(c.params.get("thread_ts") for c in fake.posts())
    run.twice = sum(1 for ts in waiting if per_thread[ts] > 1)


async def _one(name: str, count: int, args, db_url: str | None, redis_url: str | None) -> Run:  # noqa: ANN001
    root = Path(tempfile.mkdtemp(prefix="callbot-load-"))
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    fake = await FakeSlack().start()
    env = replica_env(
        root,
        fake,
        db_url=db_url,
        redis_url=redis_url,
        oauth=False,
        CALLBOT_LIMITS__RATE_LIMIT_QUESTIONS="1000000",
        CALLBOT_LIMITS__RATE_LIMIT_SECONDS="1",
    )
    replicas: list[Replica] = []
    run = Run(name, count)
    try:
        for i in range(count):
            replicas.append(await start_replica("AB"[i], env, root))
        await _load(run, fake, replicas, env, root, args)
    finally:
        for replica in replicas:
            await stop_replica(replica)
        await fake.stop()
        shutil.rmtree(root, ignore_errors=True)
    return run


async def run_all(args) -> list[Run]:  # noqa: ANN001
    runs = [await _one("1 process, SQLite", 1, args, None, None)]
    with running_postgres() as pg, running_redis() as redis:
        runs.append(await _one("2 replicas, PostgreSQL + Redis", 2, args, pg.new_database(), redis.url()))
    return runs


def report(runs: list[Run], args) -> str:  # noqa: ANN001
    lines = [
        f"{args.users} users x {args.questions} questions, Slack HTTP mode, a rebuild in the middle, fake embedder",
        "",
        "| run | replica | answered | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        lines += [run.row(name) for name in sorted(run.latencies)]
    lines.append("")
    for run in runs:
        lines.append(
            f"{run.name}: asked {run.asked} (+{run.retries} retries to the other replica), lost {run.lost}, "
            f"answered twice {run.twice}, {run.seconds:.1f} s; {run.rebuild}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--answer-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    runs = asyncio.run(run_all(args))
    print(report(runs, args))
    return 0 if all(r.lost == 0 and r.twice == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

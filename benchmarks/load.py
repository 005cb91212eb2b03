"""Load and bad-timing benchmark: many users asking at once through both chat adapters.

The driver lives in `tests/support/load/` (the tests run it at CI size); its docstring says
what is measured and what counts as an error. Run from the repository root:

    python -m benchmarks.load                      # 50 x 20, both platforms, the real model (ONNX)
    python -m benchmarks.load --fake-embedder      # quick: the tests' hashed bag-of-words embedder
    python -m benchmarks.load --users 8 --questions 5 --platform slack
    python -m benchmarks.load --replicas           # one process vs two replicas (PostgreSQL + Redis)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from tests.support.load.driver import run_load
from tests.support.load.results import MAX_QUESTIONS, MAX_USERS, PLATFORMS, LoadConfig, format_report


def parse_args(argv: list[str] | None = None) -> LoadConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help=f"simulated users per platform (1..{MAX_USERS})")
    parser.add_argument("--questions", type=int, default=20, help=f"questions per user (1..{MAX_QUESTIONS})")
    parser.add_argument("--platform", choices=("discord", "slack", "both"), default="both")
    model = parser.add_mutually_exclusive_group()
    model.add_argument(
        "--real-model",
        dest="fake",
        action="store_false",
        help="the real default model through BotCore(settings), ONNX backend (default)",
    )
    model.add_argument(
        "--fake-embedder", dest="fake", action="store_true", help="the tests' hashed bag-of-words embedder: a quick run"
    )
    parser.set_defaults(fake=False)  # two store_* actions share `fake`: the first one's default would win
    parser.add_argument("--no-rebuild", action="store_true", help="no index rebuild in the middle")
    parser.add_argument("--no-cache", action="store_true", help="answer cache off: embed every question")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between a reply and the next question")
    parser.add_argument("--answer-timeout", type=float, default=30.0, help="seconds before a question is unanswered")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for the whole run")
    parser.add_argument("--workdir", type=Path, help="keep the knowledge copy and index here (default: a temp folder)")
    args = parser.parse_args(argv)
    return LoadConfig(
        users=args.users,
        questions=args.questions,
        platforms=PLATFORMS if args.platform == "both" else (args.platform,),
        fake_embedder=args.fake,
        workdir=args.workdir,
        rebuild=not args.no_rebuild,
        cache=not args.no_cache,
        think_seconds=args.think_ms / 1000,
        answer_timeout=args.answer_timeout,
        time_limit=args.time_limit,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--replicas" in args:  # its own driver: separate processes, real PostgreSQL and Redis
        from benchmarks.load_replicas import main as replicas_main

        return replicas_main([a for a in args if a != "--replicas"])
    cfg = parse_args(argv)
    try:
        cfg.check()
    except ValueError as err:
        print(f"load: {err}", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never reach for the network
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = asyncio.run(run_load(cfg))
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

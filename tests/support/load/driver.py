"""The load run: fakes, one app, both adapters, the users, a rebuild half way, the checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.app import App, create_app
from bot.config import Settings
from bot.ops.wiring import OpsKit
from bot.types import Actor
from tests.support.load.discord_side import DiscordSide
from tests.support.load.results import (
    NOTICE,
    PLATFORMS,
    LoadConfig,
    LoadReport,
    PlatformResult,
    RebuildResult,
)
from tests.support.load.sides import Side
from tests.support.load.slack_side import SlackSide

REPO = Path(__file__).resolve().parents[3]
EVAL_FILE = REPO / "tests" / "eval" / "qa.jsonl"


# -- questions ------------------------------------------------------------------------------------
def eval_questions() -> list[str]:
    from bot.evaluation import load_eval

    return [item.question for item in load_eval(EVAL_FILE)]


def question_for(pool: list[str], user: int, j: int) -> str:
    """Each user starts at its own place in the pool; a user never repeats a text."""
    text = pool[(user * 7 + j) % len(pool)]
    return text if j < len(pool) else f"{text} (asked again, {j // len(pool) + 1})"


# -- the run --------------------------------------------------------------------------------------
class _ProblemLog(logging.Handler):
    """WARNING+ from the bot's own loggers, ERROR+ from any (discord.py, slack-bolt, aiohttp)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        ours = record.name.startswith(("bot.", "callbot"))
        if ours or record.levelno >= logging.ERROR:
            self.lines.append(f"log {record.levelname} {record.name}: {record.getMessage()[:300]}")


@contextlib.contextmanager
def workdir_for(cfg: LoadConfig) -> Iterator[Path]:
    """`cfg.workdir` as is, or a temporary folder removed afterwards."""
    if cfg.workdir is not None:
        cfg.workdir.mkdir(parents=True, exist_ok=True)
        yield cfg.workdir
        return
    with tempfile.TemporaryDirectory(prefix="callbot-load-") as tmp:
        yield Path(tmp)


def prepare_workdir(root: Path, real_model: bool) -> None:
    shutil.copytree(REPO / "knowledge", root / "knowledge", dirs_exist_ok=True)
    models = REPO / "index" / "models"
    if real_model and models.is_dir() and not (root / "index" / "models").exists():
        shutil.copytree(models, root / "index" / "models")  # reuse an ONNX export: measure serving, not exporting


def make_settings(root: Path, cfg: LoadConfig, platform_cfg: dict[str, dict]) -> Settings:
    data: dict[str, Any] = {
        "knowledge_dir": str(root / "knowledge"),
        "index_dir": str(root / "index"),
        "limits": {"rate_limit_questions": cfg.questions},  # see the module docstring
        "knowledge_ops": {"quality_eval_file": str(EVAL_FILE), "audit_db": str(root / "audit.sqlite3")},
        "metrics": {"enabled": False, "host": "127.0.0.1", "port": 0},
        **platform_cfg,
    }
    if not cfg.cache:
        data["retrieval"] = {"cache_size": 0}
    return Settings.model_validate(data)


async def run_load(cfg: LoadConfig = LoadConfig()) -> LoadReport:
    """The whole run: fakes, core, adapters, users, a rebuild in the middle. A failed question
    or injection is in the report; only a failed start-up raises."""
    cfg.check()
    began = time.monotonic()
    hard_stop = began + cfg.time_limit
    with workdir_for(cfg) as root:
        prepare_workdir(root, real_model=not cfg.fake_embedder)
        sides: list[Side] = [
            DiscordSide(cfg.users) if p == "discord" else SlackSide(cfg.users) for p in PLATFORMS if p in cfg.platforms
        ]
        problems = _ProblemLog()
        logging.getLogger().addHandler(problems)
        try:
            platform_cfg = {side.name: await side.start_fake() for side in sides}
            settings = make_settings(root, cfg, platform_cfg)
            if cfg.fake_embedder:
                from tests.fake_embedder import FakeEmbedder

                app = create_app(settings, embedder=FakeEmbedder())
            else:
                app = create_app(settings)
            await asyncio.to_thread(app.core.start)
            # Both adapters share the app, so one ops kit serves both (a second would count every
            # answer twice). Its metrics are checked at the end.
            ops = await asyncio.to_thread(lambda: app.ops)
            for side in sides:
                await side.start_adapter(app)
            problems.lines.clear()  # start-up chatter is not load; failures above raise
            report = await _drive(cfg, app, sides, hard_stop)
            report.errors.extend(problems.lines)
            report.errors.extend(_metrics_errors(ops, report))
        finally:
            logging.getLogger().removeHandler(problems)
            for side in sides:
                try:
                    await side.stop()
                except Exception as err:  # a failed stop must not hide the report
                    print(f"load: stopping {side.name} failed: {err!r}", file=sys.stderr)
    report.seconds = time.monotonic() - began
    return report


async def _drive(cfg: LoadConfig, app: App, sides: list[Side], hard_stop: float) -> LoadReport:
    core = app.core
    pool = eval_questions()
    total = cfg.users * cfg.questions * len(sides)
    trigger_at = max(1, total // 2)
    injected = 0
    half_way = asyncio.Event()
    rebuild = RebuildResult() if cfg.rebuild else None
    started = time.monotonic()

    async def user(side: Side, u: int) -> None:
        nonlocal injected
        for j in range(cfg.questions):
            if time.monotonic() >= hard_stop:
                return
            try:
                asked = await side.ask(u, j, question_for(pool, u, j))
            except Exception as err:  # the fake refused to inject (gateway gone...): this user stops
                side.errors.append(f"{side.name}: could not ask question {j} of user {u}: {err!r}")
                return
            injected += 1
            if injected >= trigger_at:
                half_way.set()
            left = max(0.0, min(cfg.answer_timeout, hard_stop - time.monotonic()))
            try:
                await asyncio.wait_for(asked.done.wait(), left)
            except TimeoutError:
                pass  # unanswered: counted at the end
            if cfg.think_seconds:
                await asyncio.sleep(cfg.think_seconds)

    async def do_rebuild() -> None:
        assert rebuild is not None
        await half_way.wait()
        rebuild.after_questions = injected
        rebuild.old_version = core.index_version
        rebuild.started_at = time.monotonic()
        try:
            op = await asyncio.to_thread(app.knowledge.rebuild, Actor("bench", "load", "load driver"))
            rebuild.message = op.message
        except Exception as err:  # reported, and the run fails
            rebuild.error = f"{type(err).__name__}: {err}"
        rebuild.finished_at = time.monotonic()
        rebuild.new_version = core.index_version

    async def collector() -> None:
        while True:
            for side in sides:
                side.collect()
            await asyncio.sleep(0.005)

    collecting = asyncio.create_task(collector())
    rebuilding = asyncio.create_task(do_rebuild()) if rebuild else None
    try:
        await asyncio.gather(*(user(side, u) for side in sides for u in range(cfg.users)))
        asked_for = time.monotonic() - started
        if rebuilding is not None:
            half_way.set()  # a run cut short by the time limit still gets its rebuild (or none: below)
            await asyncio.wait_for(rebuilding, max(1.0, hard_stop - time.monotonic() + 60))
        await asyncio.sleep(cfg.settle_seconds)  # late duplicates would arrive now
    finally:
        collecting.cancel()
        if rebuilding is not None and not rebuilding.done():  # only when the run failed above
            rebuilding.cancel()
        await asyncio.gather(*(t for t in (collecting, rebuilding) if t is not None), return_exceptions=True)
    results: dict[str, PlatformResult] = {}
    for side in sides:
        side.collect()
        errors = side.errors + side.leftovers() + side.final_errors()
        errors += _version_errors(side, rebuild)
        errors += [
            f"{side.name}: {a.route} question from {a.user} got a notice ({r.route}): {r.text!r}"
            for a in side.asked
            for r in a.replies
            if r.kind == NOTICE
        ]
        results[side.name] = PlatformResult(
            side.name, cfg.users * cfg.questions, side.asked, errors, side.ack_latencies()
        )
    model_id = core.embedder.model_id
    return LoadReport(cfg, model_id, started, asked_for, 0.0, results, rebuild, [], core.index_version)


def _version_errors(side: Side, rebuild: RebuildResult | None) -> list[str]:
    """An answer must come from the version serving when it was computed: the old one before
    the rebuild started, the new one for a question asked after it finished."""
    if rebuild is None or rebuild.started_at is None or rebuild.finished_at is None or rebuild.error:
        return []
    errors = []
    for a in side.asked:
        first = a.first
        if first is None or first.version is None:
            continue
        if a.sent_at > rebuild.finished_at and first.version != rebuild.new_version:
            errors.append(f"{side.name}: asked after the rebuild, answered from {first.version}: {a.text[:60]!r}")
        elif first.at < rebuild.started_at and first.version != rebuild.old_version:
            errors.append(f"{side.name}: answered before the rebuild from {first.version}: {a.text[:60]!r}")
    return errors


def _metrics_errors(ops: OpsKit, report: LoadReport) -> list[str]:
    """The bot's own metrics must tell the same story: each question counted once, by outcome."""
    errors = []
    for p in report.platforms.values():

        def count(outcome: str, platform: str = p.platform) -> int:
            value = ops.metrics.registry.get_sample_value(
                "callbot_questions_total", {"platform": platform, "outcome": outcome}
            )
            return int(value or 0)

        seen = {o: count(o) for o in ("answered", "declined", "refused", "error")}
        expected = {"answered": p.answered - p.declined, "declined": p.declined, "refused": 0, "error": 0}
        if seen != expected:
            errors.append(f"{p.platform}: the metrics count {seen}, the fakes saw {expected}")
    return errors

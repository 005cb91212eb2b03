"""What a load run was asked to do and what it saw: configuration, replies, per-platform
results, the rebuild, the report and its printed form."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.stats import percentile

PLATFORMS = ("discord", "slack")
MAX_USERS, MAX_QUESTIONS = 500, 200
ANSWERED, DECLINED, NOTICE = "answered", "declined", "notice"


# -- configuration and results ------------------------------------------------------------------
@dataclass(frozen=True)
class LoadConfig:
    users: int = 50
    questions: int = 20
    platforms: tuple[str, ...] = PLATFORMS
    fake_embedder: bool = False  # False: the real default model, `BotCore(settings)` (ONNX backend)
    workdir: Path | None = None  # knowledge copy + index; a temporary folder when None
    rebuild: bool = True
    cache: bool = True  # False: retrieval.cache_size 0, so every question is embedded
    think_seconds: float = 0.0  # pause between a reply and the user's next question
    answer_timeout: float = 30.0  # a question with no reply after this long is unanswered
    time_limit: float = 600.0  # the whole run, start-up included; users stop asking after it
    settle_seconds: float = 1.0  # how long to keep listening for late duplicates at the end

    def check(self) -> None:
        if not 1 <= self.users <= MAX_USERS:
            raise ValueError(f"--users must be 1..{MAX_USERS}")
        if not 1 <= self.questions <= MAX_QUESTIONS:
            raise ValueError(f"--questions must be 1..{MAX_QUESTIONS}")
        if not self.platforms or set(self.platforms) - set(PLATFORMS):
            raise ValueError(f"platforms must be among {PLATFORMS}")


@dataclass
class Reply:
    at: float  # time.monotonic() when the fake received it
    kind: str  # answered | declined | notice
    version: str | None
    route: str  # where the fake got it (for error messages)
    text: str = ""  # the start of what it showed (for notices)


@dataclass
class Asked:
    platform: str
    user: str
    route: str
    text: str
    sent_at: float
    replies: list[Reply] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def first(self) -> Reply | None:
        return self.replies[0] if self.replies else None


@dataclass
class PlatformResult:
    platform: str
    planned: int
    asked: list[Asked]
    errors: list[str]
    acks: list[float] = field(default_factory=list)  # seconds to acknowledge (Slack envelopes, Discord /ask)

    @property
    def sent(self) -> int:
        return len(self.asked)

    @property
    def answered(self) -> int:
        """Questions that got a real reply (a cited answer or a decline), notices aside."""
        return sum(1 for a in self.asked if any(r.kind != NOTICE for r in a.replies))

    @property
    def declined(self) -> int:
        return sum(1 for a in self.asked if a.first and a.first.kind == DECLINED)

    @property
    def unanswered(self) -> int:
        return self.planned - self.answered

    @property
    def duplicates(self) -> int:
        return sum(max(0, len(a.replies) - 1) for a in self.asked)

    @property
    def latencies(self) -> list[float]:
        return [a.first.at - a.sent_at for a in self.asked if a.first]

    @property
    def ok(self) -> bool:
        return self.sent == self.planned and self.unanswered == 0 and self.duplicates == 0 and not self.errors


@dataclass
class RebuildResult:
    started_at: float | None = None  # monotonic
    finished_at: float | None = None
    after_questions: int = 0  # questions injected when it started
    old_version: str = ""
    new_version: str = ""
    message: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.finished_at is not None and self.new_version != self.old_version


@dataclass
class LoadReport:
    config: LoadConfig
    model_id: str
    started_at: float  # monotonic, when the first user started asking
    drive_seconds: float  # from the first question to the last user's last reply (or timeout)
    seconds: float  # everything: fakes, model, index, adapters, questions, shutdown
    platforms: dict[str, PlatformResult]
    rebuild: RebuildResult | None
    errors: list[str]  # not tied to one platform (log lines, start-up)
    final_version: str = ""

    @property
    def ok(self) -> bool:
        rebuilt = self.rebuild is None or self.rebuild.ok
        return rebuilt and not self.errors and all(p.ok for p in self.platforms.values())

    def answered_during_rebuild(self) -> int:
        r = self.rebuild
        if r is None or r.started_at is None or r.finished_at is None:
            return 0
        return sum(
            1
            for p in self.platforms.values()
            for a in p.asked
            if a.first and r.started_at <= a.first.at <= r.finished_at
        )

    def version_of(self, a: Asked) -> str | None:
        """The version that answered (Discord declines do not show it: inferred from the time)."""
        if a.first is None or a.first.version:
            return a.first.version if a.first else None
        r = self.rebuild
        if r is None or r.started_at is None:
            return self.final_version
        if a.first.at < r.started_at:
            return r.old_version
        return r.new_version if r.finished_at is not None and a.sent_at > r.finished_at else None

    def inconsistent(self) -> dict[str, Counter]:
        """Question texts that got both a cited answer and a decline from one index version."""
        outcomes: dict[tuple[str, str], Counter] = {}
        for p in self.platforms.values():
            for a in p.asked:
                version = self.version_of(a)
                if version and a.first and a.first.kind in (ANSWERED, DECLINED):
                    outcomes.setdefault((a.text, version), Counter())[a.first.kind] += 1
        return {text: c for (text, _), c in outcomes.items() if len(c) > 1}

    def versions(self) -> Counter:
        return Counter(a.first.version for p in self.platforms.values() for a in p.asked if a.first and a.first.version)


# -- output ---------------------------------------------------------------------------------------
def format_report(report: LoadReport) -> str:
    cfg = report.config
    lines = [
        f"callbot load: {cfg.users} users x {cfg.questions} questions on {', '.join(report.platforms)}; "
        f"embedder {report.model_id}; rate limit {cfg.questions} questions per user per 30 s; "
        f"answer cache {'on' if cfg.cache else 'off'}",
        f"  time     {report.seconds:.1f} s in all, of which asking {report.drive_seconds:.1f} s "
        f"({sum(p.sent for p in report.platforms.values()) / max(report.drive_seconds, 1e-9):.0f} questions/s)",
    ]
    for p in report.platforms.values():
        lat = p.latencies
        ms = lambda pct, lat=lat: percentile(lat, pct) * 1000  # noqa: E731
        lines.append(
            f"  {p.platform:8} sent {p.sent}/{p.planned}, answers {p.answered} ({p.declined} declined), "
            f"unanswered {p.unanswered}, duplicates {p.duplicates}, errors {len(p.errors)}; "
            f"latency p50 {ms(50):.1f} ms, p99 {ms(99):.1f} ms, max {max(lat, default=0) * 1000:.1f} ms"
        )
        by_route = {}
        for a in p.asked:
            if a.first:
                by_route.setdefault(a.route, []).append(a.first.at - a.sent_at)
        acks = "Socket Mode acks" if p.platform == "slack" else "/ask acks"
        lines.append(
            "           by entry point: "
            + "; ".join(
                f"{route} p50 {percentile(v, 50) * 1000:.0f} / p99 {percentile(v, 99) * 1000:.0f} ms"
                for route, v in by_route.items()
            )
            + f"; {acks} p99 {percentile(p.acks, 99) * 1000:.0f} ms, max {max(p.acks, default=0) * 1000:.0f} ms"
        )
    r = report.rebuild
    if r is not None:
        if r.started_at is None:
            lines.append("  rebuild  never started")
        else:
            took = (r.finished_at or r.started_at) - r.started_at
            lines.append(
                f"  rebuild  started after {r.after_questions} questions (+{r.started_at - report.started_at:.2f} s), "
                f"took {took:.2f} s, {r.old_version} -> {r.new_version}; "
                f"{report.answered_during_rebuild()} answers arrived while it ran; "
                f"answers by version: {dict(report.versions())}" + (f"; FAILED: {r.error}" if r.error else "")
            )
    flips = report.inconsistent()
    if flips:  # not a delivery error: the model's answer depended on the other questions in its batch
        lines.append(
            f"  NOTE     {len(flips)} question text(s) got both an answer and a decline from one index "
            "version (embeddings that depend on the batch, e.g. int8 dynamic quantization):"
        )
        lines += [f"           {dict(c)} {text[:90]!r}" for text, c in list(flips.items())[:5]]
    problems = report.errors + [e for p in report.platforms.values() for e in p.errors]
    for line in problems[:20]:
        lines.append(f"  ERROR {line}")
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more errors")
    lines.append("OK: every question answered exactly once, zero errors" if report.ok else "FAILED")
    return "\n".join(lines)

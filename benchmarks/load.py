"""Load and bad-timing benchmark: many users asking at once through both chat adapters.

N simulated users (distinct user ids) each ask M questions from `tests/eval/qa.jsonl`
through the fake Discord (gateway + REST) and the fake Slack (Socket Mode), each started
on 127.0.0.1 port 0 in this process with the real adapter (discord.py, slack-bolt) and one
shared `BotCore`; when half of all questions have been injected an index rebuild
(`knowledge_ops(core).rebuild`, in a thread) runs while the users keep asking.

Each user is a closed loop: ask, wait for the reply (bounded by --answer-timeout), ask the
next. The entry points rotate per question: on Discord a mention or `/ask`; on Slack a
channel mention (answered in its thread), a direct message, or `/paris-call ask`. Every
reply the fakes record is matched to its question (Discord: message reference or
interaction token; Slack: channel + thread ts, the echoed question in a DM, or the
response_url), so a reply counts once and a second reply to one question is a duplicate.

Rate limit: the per-user limit stays on, set for the run to exactly M questions per
`limits.rate_limit_seconds` (30 s by default), because the default 5 per 30 s would refuse
questions 6..M of a user who asks faster than one every 6 s. Each question is still
checked and counted, so a limiter that counted one question twice, or shared a budget
between users, would refuse one and fail the run. The limiter itself is tested in
tests/test_abuse.py.

Printed per platform: questions sent, answers received (and how many declined), errors,
duplicates, p50/p99 end-to-end latency (from injecting the event to the fake receiving the
reply), per entry point too, and the acknowledgement times. Errors are: private notices
(rate limit, "something went wrong"), replies that match no question, whatever the fakes
refused or flagged (late Discord callbacks included), Socket Mode envelopes never
acknowledged or acknowledged after 3 s, WARNING+ lines from the bot's loggers and ERROR+
lines from any logger, and an answer from the wrong index version (asked after the rebuild
finished but answered from the old version, or answered before it started from another).
Exit code 1 unless every question was answered exactly once with zero errors and the
rebuild succeeded. A NOTE (not an error) lists question texts that got both a cited answer
and a decline from one index version: with an embedder whose output depends on the other
texts in its batch (int8 dynamic quantization), the micro-batcher makes that possible.

Reading the numbers: Discord mention replies in one channel are sent one at a time, because
discord.py queues requests per rate-limit bucket and the fake sends no X-RateLimit headers
(so the bucket allows one request in flight); a burst of mentions in one channel shows up
in the mention p99. Real Discord is stricter still (a few messages per channel per
second), so this is the platform's limit, not the core's; `/ask` follow-ups go to one
webhook per interaction and are not queued that way. One `BotCore` serves both adapters
here (production runs one process per platform), so the two platforms share the
micro-batcher and the answer cache; `--no-cache` makes every question reach the model.

Bounded: at most 500 users x 200 questions, --time-limit seconds in all; loopback only.

    python benchmarks/load.py                      # 50 x 20, both platforms, the real model (ONNX)
    python benchmarks/load.py --fake-embedder      # quick: the tests' hashed bag-of-words embedder
    python benchmarks/load.py --users 8 --questions 5 --platform slack
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python benchmarks/load.py`: make `benchmarks` and `tests` importable
    sys.path.insert(0, str(REPO))

import discord  # noqa: E402
from discord.gateway import DiscordWebSocket  # noqa: E402

import bot.adapters.discord.run as discord_run  # noqa: E402
from benchmarks.bench_common import percentile  # noqa: E402
from bot.adapters.slack.mrkdwn import escape as slack_escape  # noqa: E402
from bot.adapters.slack.run import SlackSecrets, SlackService  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core import BotCore  # noqa: E402
from bot.knowledge.wiring import knowledge_ops  # noqa: E402
from bot.ops.wiring import Ops, setup_ops  # noqa: E402
from bot.types import Actor  # noqa: E402
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord  # noqa: E402
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, all_text  # noqa: E402

EVAL_FILE = REPO / "tests" / "eval" / "qa.jsonl"
PLATFORMS = ("discord", "slack")
MAX_USERS, MAX_QUESTIONS = 500, 200
DISCORD_FIRST_USER = 600_000  # ids of the simulated Discord users (the fake's own are 4xx)
SLACK_CHANNEL = "C0LOAD"
_DISCORD_VERSION = re.compile(r"Index version (\S+)")
_SLACK_VERSION = re.compile(r"Index version `([^`]+)`")
_SLACK_ECHO = ":speech_balloon: "
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
        return sum(1 for p in self.platforms.values() for a in p.asked
                   if a.first and r.started_at <= a.first.at <= r.finished_at)

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
        return Counter(a.first.version for p in self.platforms.values() for a in p.asked
                       if a.first and a.first.version)


# -- questions ------------------------------------------------------------------------------------
def eval_questions() -> list[str]:
    from bot.evaluation import load_eval

    return [item.question for item in load_eval(EVAL_FILE)]


def question_for(pool: list[str], user: int, j: int) -> str:
    """Each user starts at its own place in the pool; a user never repeats a text."""
    text = pool[(user * 7 + j) % len(pool)]
    return text if j < len(pool) else f"{text} (asked again, {j // len(pool) + 1})"


def _shown(body: dict) -> str:
    """The start of a Discord message: its content, else its first embed's description."""
    embeds = body.get("embeds") or []
    return (body.get("content") or (embeds[0].get("description") if embeds else "") or "")[:120]


# -- the platforms --------------------------------------------------------------------------------
class Side:
    """One fake platform with its adapter: injects questions and matches the replies."""

    name = ""

    def __init__(self) -> None:
        self.asked: list[Asked] = []
        self.by_key: dict[str, Asked] = {}
        self.errors: list[str] = []
        self._unmatched: list[tuple[str, Reply]] = []  # replies whose question is not registered yet

    def register(self, key: str, asked: Asked) -> None:
        self.asked.append(asked)
        self.by_key[key] = asked

    def reply(self, key: str, reply: Reply) -> None:
        asked = self.by_key.get(key)
        if asked is None:
            self._unmatched.append((key, reply))
            return
        asked.replies.append(reply)
        asked.done.set()

    def retry_unmatched(self) -> None:
        pending, self._unmatched = self._unmatched, []
        for key, reply in pending:
            self.reply(key, reply)

    def leftovers(self) -> list[str]:
        self.retry_unmatched()
        return [f"{self.name}: a {r.kind} ({r.route}) matching no question (key {key!r})" for key, r in self._unmatched]

    # What each platform implements:
    async def start_fake(self) -> dict:
        """Start the fake; returns the platform's settings section pointing at it."""
        raise NotImplementedError

    async def start_adapter(self, core: BotCore, settings: Settings, ops: Ops) -> None:
        raise NotImplementedError

    async def ask(self, user: int, j: int, text: str) -> Asked:
        """Inject user `user`'s question number `j`."""
        raise NotImplementedError

    def collect(self) -> None:
        """Match the replies the fake recorded since the last call."""
        raise NotImplementedError

    def final_errors(self) -> list[str]:
        raise NotImplementedError

    def ack_latencies(self) -> list[float]:
        """How long the platform waited for its acknowledgements (both allow 3 seconds)."""
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class DiscordSide(Side):
    name = "discord"

    def __init__(self, users: int) -> None:
        super().__init__()
        self.fake = FakeDiscord()
        self.users = users
        self._cursor = 0
        self._task: asyncio.Task | None = None
        self._saved = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)

    async def start_fake(self) -> dict:
        await self.fake.start()
        for i in range(self.users):
            uid = DISCORD_FIRST_USER + i
            self.fake.users[uid] = FakeDiscord._user(uid, f"loaduser{i}")
        return {"api_base_url": self.fake.api_base_url, "gateway_url": self.fake.gateway_url,
                "guild_ids": [self.fake.GUILD_ID], "sync_commands": True}

    async def start_adapter(self, core: BotCore, settings: Settings, ops: Ops) -> None:
        app = discord_run.build_app(core, settings, guild_ready_timeout=0.05, ops=ops)
        self._task = asyncio.create_task(discord_run.serve_app(app, FakeDiscord.TOKEN, sync=True, cfg=settings.discord))
        deadline = time.monotonic() + 20
        while not app.ready.is_set():
            if self._task.done():
                self._task.result()  # raises the start-up error
                raise RuntimeError("the Discord adapter stopped during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("the Discord adapter never became ready")
            await asyncio.sleep(0.01)
        await asyncio.wait_for(self.fake.ready.wait(), 10)
        self.fake.command("ask")  # registered (raises otherwise)

    async def ask(self, user: int, j: int, text: str) -> Asked:
        uid = DISCORD_FIRST_USER + user
        channel = self.fake.GENERAL if user % 2 == 0 else self.fake.THREAD
        route = "mention" if j % 2 == 0 else "/ask"
        sent_at = time.monotonic()
        asked = Asked(self.name, str(uid), route, text, sent_at)
        if route == "mention":
            message = await self.fake.send_message(uid, channel, f"<@{self.fake.BOT_ID}> {text}")
            self.register(f"msg:{message['id']}", asked)
        else:
            interaction = await self.fake.invoke("ask", {"question": text}, user_id=uid, channel_id=channel)
            self.register(f"itx:{interaction.token}", asked)
        return asked

    @staticmethod
    def classify(body: dict) -> tuple[str, str | None]:
        embeds = body.get("embeds") or []
        footer = ((embeds[-1].get("footer") or {}).get("text") or "") if embeds else ""
        if embeds and (m := _DISCORD_VERSION.search(footer)):
            return ANSWERED, m.group(1)
        if "I can answer questions about:" in (body.get("content") or ""):
            return DECLINED, None
        return NOTICE, None

    def collect(self) -> None:
        requests = self.fake.requests
        new, self._cursor = requests[self._cursor:], len(requests)
        for req in new:
            if req.status >= 300 or req.method != "POST" or not isinstance(req.body, dict):
                continue  # refused requests are in fake.errors
            if m := re.fullmatch(r"/channels/(\d+)/messages", req.path):
                user = next((u for u, c in self.fake.dm_channels.items() if c == int(m.group(1))), None)
                if user is not None:  # a DM: the private notice for a refused question
                    self.errors.append(f"discord: private notice to user {user}: {req.body.get('content', '')[:120]!r}")
                    continue
                ref = (req.body.get("message_reference") or {}).get("message_id")
                kind, version = self.classify(req.body)
                if ref is None:
                    self.errors.append(f"discord: a message in channel {m.group(1)} that replies to nothing "
                                       f"(a second part?): {str(req.body)[:120]}")
                    continue
                self.reply(f"msg:{ref}", Reply(req.at, kind, version, "channel reply", _shown(req.body)))
            elif m := re.fullmatch(r"/webhooks/\d+/([^/]+)", req.path):
                kind, version = self.classify(req.body)
                self.reply(f"itx:{m.group(1)}", Reply(req.at, kind, version, "follow-up", _shown(req.body)))
            elif m := re.fullmatch(r"/interactions/\d+/([^/]+)/callback", req.path):
                if req.body.get("type") == 5:
                    continue  # the defer: the answer follows
                data = req.body.get("data") or {}
                private = "private " if (data.get("flags") or 0) & EPHEMERAL else ""
                self.reply(f"itx:{m.group(1)}", Reply(req.at, NOTICE, None, f"{private}callback", _shown(data)))
        self.retry_unmatched()

    def final_errors(self) -> list[str]:
        return [f"discord fake: {e}" for e in self.fake.errors]  # late callbacks (> 3 s) included

    def ack_latencies(self) -> list[float]:
        out = []
        for req in self.fake.requests:
            m = re.fullmatch(r"/interactions/\d+/([^/]+)/callback", req.path)
            if m and m.group(1) in self.fake.interactions:
                out.append(req.at - self.fake.interactions[m.group(1)].created)
        return out

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.fake.close()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved


class SlackSide(Side):
    name = "slack"
    ROUTES = ("mention", "dm", "command")

    def __init__(self, users: int) -> None:
        super().__init__()
        self.fake = FakeSlack()
        self.users = users
        self.service: SlackService | None = None
        self.envelopes: list[str] = []
        self._calls = 0
        self._responses = 0

    @staticmethod
    def user_id(user: int) -> str:
        return f"U0LOAD{user:04d}"

    async def start_fake(self) -> dict:
        await self.fake.start()
        for i in range(self.users):
            self.fake.add_user(self.user_id(i))
        return {"mode": "socket", "api_base_url": self.fake.api_url, "host": "127.0.0.1", "port": 0}

    async def start_adapter(self, core: BotCore, settings: Settings, ops: Ops) -> None:
        secrets = SlackSecrets(BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, None, None)
        self.service = SlackService(core, settings, secrets, ops)
        await self.service.start()
        await self.fake.wait_connected(10)

    @staticmethod
    def dm_key(channel: str, question: str) -> str:
        return f"dm:{channel}:{slack_escape(' '.join(question.split()))}"

    async def ask(self, user: int, j: int, text: str) -> Asked:
        uid = self.user_id(user)
        route = self.ROUTES[j % 3]
        asked = Asked(self.name, uid, route, text, 0.0)
        if route == "command":
            payload = self.fake.command_payload(f"ask {text}", user=uid, channel=SLACK_CHANNEL)
            self.register(f"resp:{payload['response_url'].rsplit('/', 1)[-1]}", asked)
            kind, body = "slash_commands", payload
        else:
            if route == "mention":
                event = self.fake.mention(text, user=uid, channel=SLACK_CHANNEL)
                self.register(f"thread:{SLACK_CHANNEL}:{event['ts']}", asked)
            else:
                channel = f"D{uid[1:]}"
                event = self.fake.dm(text, user=uid, channel=channel)
                self.register(self.dm_key(channel, text), asked)
            kind, body = "events_api", self.fake.event_body(event)
        asked.sent_at = time.monotonic()
        self.envelopes.append(await self.fake.send_envelope(kind, body))
        return asked

    @staticmethod
    def classify(payload: dict) -> tuple[str, str | None]:
        text = all_text(payload)
        if m := _SLACK_VERSION.search(text):
            return (ANSWERED if "*[1]*" in text else DECLINED), m.group(1)
        return NOTICE, None

    @staticmethod
    def echoed(payload: dict) -> str | None:
        for block in payload.get("blocks") or []:
            for element in block.get("elements") or [] if block.get("type") == "context" else []:
                text = element.get("text") or ""
                if text.startswith(_SLACK_ECHO):
                    return text[len(_SLACK_ECHO):]
        return None

    def collect(self) -> None:
        calls = self.fake.calls
        new, self._calls = calls[self._calls:], len(calls)
        for call in new:
            if call.params.get("_rate_limited"):
                continue  # the 429'd attempt: the client retries it
            if call.method == "chat.postMessage":
                kind, version = self.classify(call.params)
                channel = str(call.params.get("channel", ""))
                if channel.startswith("D"):
                    echo = self.echoed(call.params)
                    if echo is None:  # a notice (rate limit, error): DMs get them as plain messages
                        shown = all_text(call.params)[:120]
                        self.errors.append(f"slack: a DM to {channel} that echoes no question: {shown!r}")
                        continue
                    key = f"dm:{channel}:{echo}"
                else:
                    key = f"thread:{channel}:{call.params.get('thread_ts')}"
                self.reply(key, Reply(call.at, kind, version, "chat.postMessage", all_text(call.params)[:120]))
            elif call.method == "chat.postEphemeral":
                shown = all_text(call.params)[:120]
                self.errors.append(f"slack: private notice to {call.params.get('user')}: {shown!r}")
        responses = self.fake.responses
        new_responses, self._responses = responses[self._responses:], len(responses)
        for response in new_responses:
            kind, version = self.classify(response.body)
            self.reply(f"resp:{response.rid}", Reply(response.at, kind, version, "response_url",
                                                     all_text(response.body)[:120]))
        self.retry_unmatched()

    def final_errors(self) -> list[str]:
        errors = [f"slack fake: {p}" for p in self.fake.problems]
        unacked = [e for e in self.envelopes if e not in self.fake.acks]
        if unacked:
            errors.append(f"slack: {len(unacked)} Socket Mode envelope(s) never acknowledged")
        late = [a for a in self.fake.acks.values() if a.elapsed > 3.0]
        if late:  # Slack would have retried these (and shown the user an error for a command)
            errors.append(f"slack: {len(late)} envelope(s) acknowledged after more than 3 s")
        return errors

    def ack_latencies(self) -> list[float]:
        return [a.elapsed for a in self.fake.acks.values()]

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
        await self.fake.stop()


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
        sides: list[Side] = [DiscordSide(cfg.users) if p == "discord" else SlackSide(cfg.users)
                             for p in PLATFORMS if p in cfg.platforms]
        problems = _ProblemLog()
        logging.getLogger().addHandler(problems)
        try:
            platform_cfg = {side.name: await side.start_fake() for side in sides}
            settings = make_settings(root, cfg, platform_cfg)
            if cfg.fake_embedder:
                from tests.fake_embedder import FakeEmbedder

                core = BotCore(settings, embedder=FakeEmbedder())
            else:
                core = BotCore(settings)
            await asyncio.to_thread(core.start)
            # As `serve()` wires each adapter, but one Ops for both: they share this core, and
            # a second Ops would count every answer twice. Its metrics are checked at the end.
            ops = await asyncio.to_thread(setup_ops, core, settings)
            for side in sides:
                await side.start_adapter(core, settings, ops)
            problems.lines.clear()  # start-up chatter is not load; failures above raise
            report = await _drive(cfg, core, sides, hard_stop)
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


async def _drive(cfg: LoadConfig, core: BotCore, sides: list[Side], hard_stop: float) -> LoadReport:
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
            except asyncio.TimeoutError:
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
            op = await asyncio.to_thread(knowledge_ops(core).rebuild, Actor("bench", "load", "load driver"))
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
        errors += [f"{side.name}: {a.route} question from {a.user} got a notice ({r.route}): {r.text!r}"
                   for a in side.asked for r in a.replies if r.kind == NOTICE]
        results[side.name] = PlatformResult(side.name, cfg.users * cfg.questions, side.asked, errors,
                                            side.ack_latencies())
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


def _metrics_errors(ops: Ops, report: LoadReport) -> list[str]:
    """The bot's own metrics must tell the same story: each question counted once, by outcome."""
    errors = []
    for p in report.platforms.values():
        def count(outcome: str) -> int:
            value = ops.metrics.registry.get_sample_value(
                "callbot_questions_total", {"platform": p.platform, "outcome": outcome})
            return int(value or 0)

        seen = {o: count(o) for o in ("answered", "declined", "refused", "error")}
        expected = {"answered": p.answered - p.declined, "declined": p.declined, "refused": 0, "error": 0}
        if seen != expected:
            errors.append(f"{p.platform}: the metrics count {seen}, the fakes saw {expected}")
    return errors


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
        ms = lambda pct: percentile(lat, pct) * 1000  # noqa: E731
        lines.append(
            f"  {p.platform:8} sent {p.sent}/{p.planned}, answers {p.answered} ({p.declined} declined), "
            f"unanswered {p.unanswered}, duplicates {p.duplicates}, errors {len(p.errors)}; "
            f"latency p50 {ms(50):.1f} ms, p99 {ms(99):.1f} ms, max {max(lat, default=0) * 1000:.1f} ms")
        by_route = {}
        for a in p.asked:
            if a.first:
                by_route.setdefault(a.route, []).append(a.first.at - a.sent_at)
        acks = "Socket Mode acks" if p.platform == "slack" else "/ask acks"
        lines.append("           by entry point: " + "; ".join(
            f"{route} p50 {percentile(v, 50) * 1000:.0f} / p99 {percentile(v, 99) * 1000:.0f} ms"
            for route, v in by_route.items())
            + f"; {acks} p99 {percentile(p.acks, 99) * 1000:.0f} ms, max {max(p.acks, default=0) * 1000:.0f} ms")
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
                f"answers by version: {dict(report.versions())}"
                + (f"; FAILED: {r.error}" if r.error else ""))
    flips = report.inconsistent()
    if flips:  # not a delivery error: the model's answer depended on the other questions in its batch
        lines.append(f"  NOTE     {len(flips)} question text(s) got both an answer and a decline from one index "
                     "version (embeddings that depend on the batch, e.g. int8 dynamic quantization):")
        lines += [f"           {dict(c)} {text[:90]!r}" for text, c in list(flips.items())[:5]]
    problems = report.errors + [e for p in report.platforms.values() for e in p.errors]
    for line in problems[:20]:
        lines.append(f"  ERROR {line}")
    if len(problems) > 20:
        lines.append(f"  ... and {len(problems) - 20} more errors")
    lines.append("OK: every question answered exactly once, zero errors" if report.ok else "FAILED")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> LoadConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help=f"simulated users per platform (1..{MAX_USERS})")
    parser.add_argument("--questions", type=int, default=20, help=f"questions per user (1..{MAX_QUESTIONS})")
    parser.add_argument("--platform", choices=("discord", "slack", "both"), default="both")
    model = parser.add_mutually_exclusive_group()
    model.add_argument("--real-model", dest="fake", action="store_false",
                       help="the real default model through BotCore(settings), ONNX backend (default)")
    model.add_argument("--fake-embedder", dest="fake", action="store_true",
                       help="the tests' hashed bag-of-words embedder: a quick run")
    parser.set_defaults(fake=False)  # two store_* actions share `fake`: the first one's default would win
    parser.add_argument("--no-rebuild", action="store_true", help="no index rebuild in the middle")
    parser.add_argument("--no-cache", action="store_true", help="answer cache off: embed every question")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between a reply and the next question")
    parser.add_argument("--answer-timeout", type=float, default=30.0, help="seconds before a question is unanswered")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for the whole run")
    parser.add_argument("--workdir", type=Path, help="keep the knowledge copy and index here (default: a temp folder)")
    args = parser.parse_args(argv)
    return LoadConfig(
        users=args.users, questions=args.questions,
        platforms=PLATFORMS if args.platform == "both" else (args.platform,),
        fake_embedder=args.fake, workdir=args.workdir, rebuild=not args.no_rebuild, cache=not args.no_cache,
        think_seconds=args.think_ms / 1000, answer_timeout=args.answer_timeout, time_limit=args.time_limit,
    )


def main(argv: list[str] | None = None) -> int:
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

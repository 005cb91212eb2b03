"""Shared helpers for the knowledge-operation tests (tests/test_knowledge_*.py).

* `Snapshot` / `snapshot`: everything a refused operation must leave alone (the files of
  knowledge/ with their hashes, the CURRENT pointer, the version folders, the version the
  core serves), so a test can assert "nothing was changed" on real state.
* `GatedEmbedder`: the fake embedder, but embedding can be held at a gate (per thread
  name) so a test controls exactly when a build is "half way".
* `LocalServer`: an http.server on 127.0.0.1, port 0, with scripted routes.
* `make_pdf`, `junk_document`, `note_md`: test documents.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.core import BotCore
from bot.evaluation import load_eval
from bot.knowledge.audit import AuditEntry
from bot.knowledge.operations import KnowledgeOps
from bot.types import Actor
from tests.fake_embedder import FakeEmbedder
from tests.pdf_factory import make_pdf  # noqa: F401  (re-exported for the knowledge tests)

ACTOR = Actor(platform="test", user_id="U-42", display_name="Alice")
OTHER = Actor(platform="discord", user_id="1234", display_name="Bob")
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(md|txt|html|htm|pdf)$")
NO_EVAL = {"knowledge_ops": {"quality_eval_file": "/nonexistent/no-eval.jsonl"}}


# ---------------------------------------------------------------------------- state
@dataclass(frozen=True)
class Snapshot:
    files: dict[str, str]  # every entry of knowledge/ (hidden ones too) -> sha256
    current: str | None
    versions: tuple[str, ...]
    version_dirs: tuple[str, ...]  # including hidden leftovers (.tmp-*)
    serving: str | None


def folder_hashes(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def snapshot(core: BotCore) -> Snapshot:
    store = core.index.store
    vdir = store.versions_dir
    return Snapshot(
        files=folder_hashes(core.settings.knowledge_path),
        current=store.current(),
        versions=tuple(store.list_versions()),
        version_dirs=tuple(sorted(p.name for p in vdir.iterdir())) if vdir.is_dir() else (),
        serving=core.index_version if core.started else None,
    )


def assert_unchanged(core: BotCore, before: Snapshot) -> None:
    after = snapshot(core)
    assert after.files == before.files, "knowledge/ changed"
    assert after.current == before.current, "CURRENT moved"
    assert after.versions == before.versions, "a version was added or removed"
    assert after.version_dirs == before.version_dirs, "the versions folder changed"
    assert after.serving == before.serving, "the core serves another version"


def latest_audit(knowledge: KnowledgeOps) -> AuditEntry:
    entries = knowledge.log(1)
    assert entries, "the audit log is empty"
    return entries[0]


def assert_one_sentence_refusal(message: str) -> None:
    """A refusal is one line, ends with '... nothing was changed.' (or the gate's wording)."""
    assert "\n" not in message and "Traceback" not in message
    lowered = message.lower()
    assert lowered.endswith(".")
    assert "nothing was changed" in lowered or "serving index is unchanged" in lowered, message


# ---------------------------------------------------------------------------- embedders
class GatedEmbedder(FakeEmbedder):
    """FakeEmbedder whose calls from threads named in `hold` wait until `release` is set.

    `entered` is set when a held call arrives, so the test knows the build is mid-way.
    """

    def __init__(self, hold: Sequence[str] = ()) -> None:
        super().__init__()
        self.hold = set(hold)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_in: set[str] = set()

    def embed_batch(self, texts):
        name = threading.current_thread().name
        if name in self.fail_in:
            raise RuntimeError("embedding backend crashed")
        if name in self.hold:
            self.entered.set()
            if not self.release.wait(30):
                raise TimeoutError("GatedEmbedder was never released")
        return super().embed_batch(texts)


def run_in_thread(name: str, target: Callable[[], object]) -> tuple[threading.Thread, dict]:
    """Start `target` in a thread called `name`; the dict gets 'result' or 'error'."""
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = target()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box["error"] = err

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, box


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ---------------------------------------------------------------------------- documents
def note_md(heading: str, body: str, **front: str) -> bytes:
    """Markdown with a heading (the title unless front matter gives one) and a body."""
    head = ""
    if front:
        head = "---\n" + "".join(f'{k}: "{v}"\n' for k, v in front.items()) + "---\n"
    return f"{head}# {heading}\n\n{body}\n".encode()


CABLES = note_md(
    "Undersea cable protection",
    "The Baltic cable security pact was signed in Tallinn on 3 March 2021 by four coastal states. "
    "It commits the signatories to share sonar data about vessels loitering above telecom cables. "
    "A joint repair fleet based in Gdansk keeps spare fibre and splicing ships on standby. "
    "The pact also funds a training school for marine cable engineers in Klaipeda.",
)

SATELLITES = note_md(
    "Satellite ground station hardening",
    "Operators of satellite ground stations in Norway agreed on a hardening checklist in 2022. "
    "The checklist requires redundant uplinks, tamper alarms on antenna cabinets and offline key storage. "
    "Inspectors from the Svalbard authority audit every station once a year.",
)


PDF_LINES = [
    "The Nordic incident exchange was founded in Oslo in 2021 by five national CERTs.",
    "Members publish indicators of compromise within four hours of detection.",
    "The exchange holds a tabletop exercise every autumn in Reykjavik.",
]

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Harbour cyber drill | Port Security Weekly</title>
<meta property="og:site_name" content="Port Security Weekly">
<meta property="article:published_time" content="2021-06-15">
</head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article>
<h1>Harbour cyber drill</h1>
<p>The port of Rotterdam ran a cyber drill with twelve terminal operators in June 2021.
The drill simulated ransomware on the crane control network and lasted two days.</p>
<p>Operators restored crane software from offline backups within nine hours, the organisers said.</p>
</article>
<footer>Copyright Port Security Weekly</footer>
</body></html>
"""

_WORDS = re.compile(r"[A-Za-z0-9']+")
_FILLERS = ("according to the bulletin", "as the newsletter recalled", "in the weekly digest")


def junk_document(eval_file: Path) -> str:
    """A document that floods the index with passages that look relevant to every
    on-topic check question (bag of words: they repeat the question's words) but contain
    none of the answers, so the quality gate must see hit@3 fall."""
    items = [item for item in load_eval(eval_file) if not item.off_topic]
    answers = [a for item in items for a in item.answers]
    banned: set[str] = set()
    while True:
        lines = ["# Frequently asked questions", ""]
        for item in items:
            own = banned | {w.lower() for a in item.answers for w in _WORDS.findall(a)}
            words = " ".join(w for w in _WORDS.findall(item.question) if w.lower() not in own)
            lines += [f"{words} {filler}." for filler in _FILLERS] + [""]
        text = "\n".join(lines)
        found = [a for a in answers if a.casefold() in text.casefold()]
        if not found:
            return text
        banned |= {w.lower() for a in found for w in _WORDS.findall(a)}


# ---------------------------------------------------------------------------- http server
Route = Callable[[BaseHTTPRequestHandler], None]


def respond(
    body: bytes,
    content_type: str | None = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        if content_type:
            h.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        if not length:
            h.close_connection = True

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (port 0) serving `routes`; logs requested paths."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.hosts: list[str] = []  # the Host header of each request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.requests.append(self.path)
                server.hosts.append(self.headers.get("Host", ""))
                route = server.routes.get(self.path)
                if route is None:
                    respond(b"not found", "text/plain", 404)(self)
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="test-http", daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def manifest_docs(core: BotCore) -> dict[str, dict]:
    return core.serving.data.manifest["documents"]

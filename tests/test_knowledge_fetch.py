"""`index add URL`: documents fetched from a local http.server on 127.0.0.1 (port 0).

The config allows loopback for the fetching tests; the refusal tests check that private,
loopback and link-local targets (and redirects to them) are refused when it does not, plus
schemes, sizes, content types, HTTP errors and time limits. Every refusal leaves
knowledge/ and the serving version unchanged and is audited with the URL as target.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest
import yaml

import bot.knowledge.fetch as fetch
from bot.app import App
from bot.errors import KnowledgeError
from bot.index.sources import sidecar_for
from bot.types import Question
from tests.helpers_knowledge import (
    ACTOR,
    HTML_PAGE,
    PDF_LINES,
    SATELLITES,
    LocalServer,
    assert_one_sentence_refusal,
    assert_unchanged,
    latest_audit,
    make_pdf,
    manifest_docs,
    redirect,
    respond,
    snapshot,
)

LIMIT = 6_000
ALLOW = {
    "knowledge_ops": {"allow_private_urls": True, "fetch_timeout_seconds": 1.5},
    "limits": {"max_document_bytes": LIMIT},
}
DENY = {
    "knowledge_ops": {"allow_private_urls": False, "fetch_timeout_seconds": 1.5},
    "limits": {"max_document_bytes": LIMIT},
}


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def refused(app: App, url: str, pattern: str, named: str | None = None) -> str:
    """Assert add_url refuses with `pattern`, changes nothing, and is audited."""
    core = app.core
    before = snapshot(core)
    with pytest.raises(KnowledgeError, match=pattern) as caught:
        app.knowledge.add_url(url, ACTOR)
    message = str(caught.value)
    assert message.startswith(f"{named or url}: ")  # a URL, not a derived file name
    assert_one_sentence_refusal(message)
    assert message.endswith("Nothing was changed.")
    assert_unchanged(core, before)
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.target, entry.outcome, entry.user_id) == ("add", url, "refused", "U-42")
    return message


# ---------------------------------------------------------------- fetching


def test_add_html_page_by_url(make_app, server: LocalServer) -> None:
    server.routes["/news/harbour-drill"] = respond(HTML_PAGE.encode())
    app = make_app(**ALLOW)
    core = app.core
    url = server.url("/news/harbour-drill")
    report = app.knowledge.add_url(url, ACTOR)
    assert report.added == ("harbour-drill.html",)
    stored = core.settings.knowledge_path / "harbour-drill.html"
    assert stored.read_bytes() == HTML_PAGE.encode()
    assert yaml.safe_load(sidecar_for(stored).read_text(encoding="utf-8")) == {"origin": url}
    meta = manifest_docs(core)["harbour-drill.html"]
    assert (meta["title"], meta["publisher"], meta["source"]) == ("Harbour cyber drill", "Port Security Weekly", url)
    answer = core.ask(Question("How long did operators take to restore crane software at Rotterdam?", ACTOR))
    assert answer.passages[0].passage.source == url
    assert server.requests == ["/news/harbour-drill"]
    entry = latest_audit(app.knowledge)
    assert (entry.action, entry.target, entry.outcome) == ("add", "harbour-drill.html", "ok")


def test_add_pdf_text_and_markdown_by_url_with_overrides(make_app, server: LocalServer) -> None:
    server.routes["/files/nordic.pdf"] = respond(make_pdf(PDF_LINES), "application/pdf")
    server.routes["/download?id=7"] = respond(
        SATELLITES.replace(b"# ", b""),
        "text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="../../etc/Station Notes.txt"'},
    )
    server.routes["/"] = respond(
        b"# Tide tables\n\nThe Brest tide tables for 2024 list spring tides in March.\n", "text/markdown"
    )
    app = make_app(**ALLOW)
    core = app.core
    pdf = app.knowledge.add_url(server.url("/files/nordic.pdf"), ACTOR, title="Nordic exchange", date="2021")
    assert pdf.added == ("nordic.pdf",)
    meta = manifest_docs(core)["nordic.pdf"]
    assert (meta["title"], meta["date"], meta["source"]) == ("Nordic exchange", "2021", server.url("/files/nordic.pdf"))
    txt = app.knowledge.add_url(server.url("/download?id=7"), ACTOR)
    assert txt.added == ("station-notes.txt",)  # the server's file name, made safe
    md = app.knowledge.add_url(server.url("/"), ACTOR)
    assert md.added == ("page.md",)
    assert manifest_docs(core)["page.md"]["source"] == server.url("/")


def test_redirects_are_followed(make_app, server: LocalServer) -> None:
    server.routes["/old"] = redirect("/older")
    server.routes["/older"] = redirect(server.url("/articles/drill.htm"), 301)
    server.routes["/articles/drill.htm"] = respond(HTML_PAGE.encode())
    app = make_app(**ALLOW)
    report = app.knowledge.add_url(server.url("/old"), ACTOR)
    assert report.added == ("drill.htm",)
    assert server.requests == ["/old", "/older", "/articles/drill.htm"]


# ---------------------------------------------------------------- refusals: where


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("ftp://127.0.0.1/doc.txt", "only http and https addresses can be added"),
        ("file:///etc/passwd", "only http and https addresses can be added"),
        ("javascript:alert(1)", "only http and https addresses can be added"),
        ("gopher://example.org/", "only http and https addresses can be added"),
        ("http:///path-only", "the address has no host name"),
        ("http://no-such-host.invalid/doc", "the host no-such-host.invalid could not be found"),
        ("http://169.254.169.254/latest/meta-data/", r"private, loopback or reserved address \(169\.254\.169\.254\)"),
        ("http://10.1.2.3/intranet", r"private, loopback or reserved address \(10\.1\.2\.3\)"),
        ("http://192.168.0.1/admin", r"private, loopback or reserved address"),
        ("http://0.0.0.0/", r"private, loopback or reserved address"),
        ("http://[::ffff:127.0.0.1]/", r"private, loopback or reserved address"),
        ("http://[fe80::1]/", r"private, loopback or reserved address"),
        ("http://[::1", "not a valid address|could not be"),
        ("http://example.org:99999/", "not a valid address|could not be"),
    ],
)
def test_refused_targets(make_app, url: str, pattern: str) -> None:
    app = make_app(**DENY)
    refused(app, url, pattern)


def test_loopback_refused_unless_allowed(make_app, server: LocalServer) -> None:
    server.routes["/doc.html"] = respond(HTML_PAGE.encode())
    app = make_app(**DENY)
    for host in ("127.0.0.1", "localhost"):
        refused(app, server.url("/doc.html", host), rf"{host} is a private, loopback or reserved address")
    refused(app, f"http://[::1]:{server.port}/doc.html", r"::1 is a private, loopback or reserved address")
    assert server.requests == []  # refused before connecting


def test_redirect_to_a_private_target_is_refused(make_app, server: LocalServer, monkeypatch) -> None:
    """Every hop is checked. The entry server stands in for a public site (127.0.0.1 is
    treated as public for this test only); its redirect to `localhost` must be refused by
    the real check, and the private page never requested."""
    real_check = fetch._check_target
    checked: list[str] = []

    def check(url: str, allow_private: bool, deadline) -> list[str]:
        checked.append(url)
        return real_check(url, True if "//127.0.0.1:" in url else allow_private, deadline)

    monkeypatch.setattr(fetch, "_check_target", check)
    server.routes["/public"] = redirect(server.url("/secret", "localhost"))
    server.routes["/secret"] = respond(HTML_PAGE.encode())
    app = make_app(**DENY)
    refused(
        app,
        server.url("/public"),
        r"localhost is a private, loopback or reserved address",
        named=server.url("/secret", "localhost"),
    )
    assert checked == [server.url("/public"), server.url("/secret", "localhost")]
    assert server.requests == ["/public"]


def test_too_many_redirects(make_app, server: LocalServer) -> None:
    server.routes["/loop"] = redirect("/loop")
    app = make_app(**ALLOW)
    refused(app, server.url("/loop"), "too many redirects")
    assert len(server.requests) == fetch.MAX_REDIRECTS + 1


# ---------------------------------------------------------------- refusals: what


@pytest.mark.parametrize(
    ("route", "pattern"),
    [
        (respond(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"), r"content type 'image/png' is not a document"),
        (respond(b"PK\x03\x04" + b"\x00" * 64, "application/zip"), r"content type 'application/zip' is not"),
        (respond(b"binary", "application/octet-stream"), r"'application/octet-stream' is not a document"),
        (respond(b"<html><body><p>x</p></body></html>", None), r"content type 'none' is not a document"),
        (respond(b"{}", "application/json"), r"'application/json' is not a document"),
        (respond(b"gone", "text/plain", 404), r"the server answered HTTP 404"),
        (respond(b"oops", "text/html", 500), r"the server answered HTTP 500"),
        # declared too large
        (respond(b"<html><body><p>" + b"tide " * 2000 + b"</p></body></html>"), r"over the 0\.006 MB limit"),
        # not declared (no Content-Length, streamed until close): counted while reading
        (
            respond(b"<html><body><p>" + b"tide " * 2000 + b"</p></body></html>", length=False),
            r"over the 0\.006 MB limit",
        ),
        # the type is checked on the content too
        (respond(b"PK\x03\x04" + b"\x00" * 64, "text/html"), r"does not look like HTML"),
        (respond(b"", "text/plain"), r"the file is empty"),
        (
            respond(
                b"<html><body><p>x</p></body></html>", "text/html", headers={"Content-Length": "lots"}, length=False
            ),
            r"the download failed|not a valid",
        ),
    ],
    ids=[
        "png",
        "zip",
        "octet",
        "no-type",
        "json",
        "404",
        "500",
        "declared-size",
        "streamed-size",
        "zip-as-html",
        "empty",
        "bad-length",
    ],
)
def test_refused_responses(make_app, server: LocalServer, route, pattern: str) -> None:
    server.routes["/doc"] = route
    app = make_app(**ALLOW)
    refused(app, server.url("/doc"), pattern)


def _slow_headers(h: BaseHTTPRequestHandler) -> None:
    time.sleep(5)
    respond(HTML_PAGE.encode())(h)


def _drip(h: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.1 s: each read is quick, the whole is not."""
    body = HTML_PAGE.encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    for i in range(len(body)):
        h.wfile.write(body[i : i + 1])
        h.wfile.flush()
        time.sleep(0.1)


@pytest.mark.parametrize("route", [_slow_headers, _drip], ids=["no-answer", "slow-drip"])
def test_fetch_has_a_time_limit(make_app, server: LocalServer, route) -> None:
    server.routes["/slow"] = route
    app = make_app(**ALLOW)  # fetch_timeout_seconds = 1.5 for the whole fetch
    started = time.monotonic()
    refused(app, server.url("/slow"), r"the server did not answer within 1\.5 s")
    assert time.monotonic() - started < 3.5

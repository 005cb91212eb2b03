"""Attacks on `index add URL` (issue 15, item 6): deadline and DNS pinning.

* A real server on 127.0.0.1 (port 0) that trickles its status line and headers one byte
  at a time, each byte well inside the per-read timeout: the whole fetch must still end
  within `fetch_timeout_seconds` + 1 s.
* Redirect hops share that one deadline.
* DNS rebinding: the name is answered with the checked address once and with another
  address after; the connection must go to the checked address (resolved once per hop).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.wiring import knowledge_ops
from tests.helpers_knowledge import ACTOR, HTML_PAGE, LocalServer, assert_unchanged, respond, snapshot

TIMEOUT = 2.0


def settings(timeout: float = TIMEOUT) -> dict:
    return {"knowledge_ops": {"allow_private_urls": True, "fetch_timeout_seconds": timeout}}


class TrickleServer:
    """Accepts connections on 127.0.0.1 and sends `payload` one byte every `interval` s."""

    def __init__(self, payload: Callable[[int], bytes], interval: float) -> None:
        self.payload, self.interval = payload, interval
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)  # the request
            self.requests += 1
            for byte in self.payload(self.port):
                if self.stop.wait(self.interval):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client gave up: good
                    return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def trickle():
    servers: list[TrickleServer] = []

    def start(payload: Callable[[int], bytes], interval: float) -> TrickleServer:
        servers.append(TrickleServer(payload, interval))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _slow_headers(port: int) -> bytes:
    headers = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Padding: 0123456789\r\n" * 40
    return headers + b"\r\n" + HTML_PAGE.encode()


def _refused_within(core, url: str, seconds: float) -> str:
    before = snapshot(core)
    started = time.monotonic()
    with pytest.raises(KnowledgeError) as caught:
        knowledge_ops(core).add_url(url, ACTOR)
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"the fetch took {elapsed:.1f} s"
    assert_unchanged(core, before)
    return str(caught.value)


def test_headers_trickling_in_cannot_outlast_the_deadline(make_core, trickle) -> None:
    server = trickle(_slow_headers, interval=0.25)  # each byte far inside the read timeout
    core = make_core(**settings())
    message = _refused_within(core, f"http://127.0.0.1:{server.port}/slow", TIMEOUT + 1)
    assert "did not answer within 2 s" in message


def test_redirect_hops_share_one_deadline(make_core) -> None:
    """Six hops each answering in 0.8 s: each is quick, together they take 4.8 s > 2 s."""
    with LocalServer() as server:

        def slow_redirect(n: int):
            def route(h) -> None:
                time.sleep(0.8)
                h.send_response(302)
                h.send_header("Location", f"/hop{n + 1}")
                h.send_header("Content-Length", "0")
                h.end_headers()

            return route

        for n in range(5):
            server.routes[f"/hop{n}"] = slow_redirect(n)
        server.routes["/hop5"] = respond(HTML_PAGE.encode())
        core = make_core(**settings())
        message = _refused_within(core, server.url("/hop0"), TIMEOUT + 1)
        assert "did not answer within 2 s" in message


def test_the_connection_goes_to_the_checked_address(make_core, monkeypatch) -> None:
    """DNS rebinding: the first answer (checked) is the real server, later answers point
    elsewhere (a port on 127.0.0.2 where nothing listens). Pinned, the fetch succeeds from
    the checked address and the name is looked up once."""
    with LocalServer() as server:
        server.routes["/news/harbour-drill"] = respond(HTML_PAGE.encode())
        real_getaddrinfo = socket.getaddrinfo
        lookups: list[str] = []

        def rebinding(host, port, *args, **kwargs):
            if host != "rebind.example":
                return real_getaddrinfo(host, port, *args, **kwargs)
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        core = make_core(**settings())
        url = f"http://rebind.example:{server.port}/news/harbour-drill"
        report = knowledge_ops(core).add_url(url, ACTOR)
        assert report.added == ("harbour-drill.html",)
        assert lookups == ["rebind.example"]
        assert server.requests == ["/news/harbour-drill"]
        assert server.hosts == [f"rebind.example:{server.port}"]  # the Host header is the URL's

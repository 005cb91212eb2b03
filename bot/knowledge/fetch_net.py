"""The network side of `index add URL`: one deadline for everything, pinned connections.

httpx times each socket operation on its own, so a server sending one header byte just
inside the read timeout could hold a fetch (and the build lock) for as long as it liked.
Here every connect, TLS handshake, read and write gets at most what is left of one overall
deadline, and the host name is resolved by us once per hop: the connection goes to the
address that was checked (no second lookup a rebinding DNS server could answer
differently), while the Host header and TLS server name stay those of the URL.

This sits at httpcore's network-backend level, under an httpx transport, because httpx
has no setting for either.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import typing
from contextlib import contextmanager
from typing import Iterator

import httpcore
import httpx


class Deadline:
    """A point in time every network step must finish by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._at - time.monotonic()

    def clamp(self, timeout: float | None, late: type[Exception]) -> float:
        """`timeout` cut to what is left; raises `late` once nothing is left."""
        left = self.remaining()
        if left <= 0:
            raise late(f"the overall deadline of {self.seconds:g} s has passed")
        return left if timeout is None else min(timeout, left)


def resolve(host: str, port: int, deadline: Deadline) -> list[str]:
    """The addresses of `host`, looked up within the deadline (getaddrinfo has no timeout
    of its own, so it runs in a daemon thread that is abandoned if it is too slow).

    Raises socket.gaierror / UnicodeError as getaddrinfo does, TimeoutError when late.
    """
    found: dict[str, typing.Any] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as err:  # handed to the waiting thread
            found["error"] = err

    worker = threading.Thread(target=lookup, name="callbot-resolve", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline.remaining()))
    if worker.is_alive():
        raise TimeoutError(f"looking up {host} took too long")
    if "error" in found:
        raise found["error"]
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found["infos"]))


def url_host_port(url: str) -> tuple[str, int]:
    """The host and port httpx will connect for `url` (IDNA-encoded host, default ports)."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.raw_host.decode("ascii").lower(), port


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        clamped = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, clamped), self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects only to addresses pinned for a (host, port), within the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._pins: dict[tuple[str, int], list[str]] = {}
        self._inner = httpcore.SyncBackend()

    def pin(self, host: str, port: int, addresses: list[str]) -> None:
        self._pins[(host.lower(), port)] = list(addresses)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get((host.lower(), port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
        failure: Exception | None = None
        for address in addresses:
            clamped = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(address, port, clamped, local_address, socket_options)
            except httpcore.ConnectError as err:
                failure = err
                continue
            return _DeadlineStream(stream, self._deadline)
        raise failure or httpcore.ConnectError(f"could not connect to {host}:{port}")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(0.0, self._deadline.remaining())))


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as httpx's, as httpx's own transport raises them."""
    try:
        yield
    except httpcore.TimeoutException as err:
        raise httpx.TimeoutException(str(err)) from err
    except httpcore.ConnectError as err:
        raise httpx.ConnectError(str(err)) from err
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as err:
        raise httpx.TransportError(str(err)) from err


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: typing.Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport over a connection pool that uses `PinnedBackend`."""

    def __init__(self, backend: PinnedBackend) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()

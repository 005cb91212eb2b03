"""Fetch a web page or PDF for `index add URL`, refusing what an admin's bot should not reach.

Only http(s); no private, loopback, link-local or reserved addresses (each redirect hop
is checked too) unless the config allows them, and each connection goes to the address
that was checked (`fetch_net`); one deadline for the whole fetch, redirects included; a
size limit and a content-type allow-list.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from bot.errors import KnowledgeError
from bot.knowledge.fetch_net import Deadline, PinnedBackend, PinnedTransport, resolve, url_host_port

MAX_REDIRECTS = 5
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
}


@dataclass(frozen=True)
class Fetched:
    url: str
    file_name: str
    data: bytes


def _check_target(url: str, allow_private: bool, deadline: Deadline) -> list[str]:
    """The addresses `url` may be fetched from (all of them checked), or a refusal."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port over 65535)
        host, port = url_host_port(url)
    except (ValueError, httpx.InvalidURL, UnicodeError):  # "http://[::1", a port over 65535...
        raise KnowledgeError(f"{url}: this is not a valid address. Nothing was changed.") from None
    if parts.scheme not in ("http", "https"):
        raise KnowledgeError(f"{url}: only http and https addresses can be added. Nothing was changed.")
    shown = parts.hostname
    if not host or not shown:
        raise KnowledgeError(f"{url}: the address has no host name. Nothing was changed.")
    try:
        addresses = resolve(host, port, deadline)
    except (socket.gaierror, UnicodeError):
        raise KnowledgeError(f"{url}: the host {shown} could not be found. Nothing was changed.") from None
    for text in addresses:
        address = ipaddress.ip_address(text)
        if not address.is_global and not allow_private:
            raise KnowledgeError(
                f"{url}: {shown} is a private, loopback or reserved address ({address}), which the config "
                "does not allow. Nothing was changed."
            )
    return addresses


def _file_name(url: str, content_type: str, disposition: str) -> str:
    match = re.search(r'filename="?([^";]+)"?', disposition or "")
    name = match.group(1) if match else unquote(PurePosixPath(urlsplit(url).path).name) or "page"
    suffix = CONTENT_TYPES[content_type]
    if not name.lower().endswith(suffix) and not (suffix == ".html" and name.lower().endswith(".htm")):
        name = f"{name}{suffix}"
    return name


def fetch_document(url: str, *, max_bytes: int, timeout: float, allow_private: bool) -> Fetched:
    """Download one document, following at most five checked redirects."""
    current = url
    deadline = Deadline(timeout)  # one budget for lookups, connects, headers, body and redirects
    too_slow = KnowledgeError(f"{url}: the server did not answer within {timeout:g} s. Nothing was changed.")
    backend = PinnedBackend(deadline)
    with httpx.Client(transport=PinnedTransport(backend), timeout=timeout, follow_redirects=False,
                      trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                addresses = _check_target(current, allow_private, deadline)
            except TimeoutError:
                raise too_slow from None
            backend.pin(*url_host_port(current), addresses)
            try:
                with client.stream("GET", current, headers={"User-Agent": "callbot/0.1"}) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise KnowledgeError(f"{url}: the server answered HTTP {response.status_code}. Nothing was changed.")
                    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if content_type not in CONTENT_TYPES:
                        raise KnowledgeError(
                            f"{url}: content type '{content_type or 'none'}' is not a document (HTML, text or PDF). "
                            "Nothing was changed."
                        )
                    declared = int(response.headers.get("content-length") or 0)
                    if declared > max_bytes:
                        raise KnowledgeError(f"{url}: the document is over the {max_bytes / 1e6:g} MB limit. Nothing was changed.")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            raise KnowledgeError(f"{url}: the document is over the {max_bytes / 1e6:g} MB limit. Nothing was changed.")
                        if deadline.remaining() <= 0:
                            raise too_slow
                    name = _file_name(current, content_type, response.headers.get("content-disposition", ""))
                    return Fetched(url=current, file_name=name, data=bytes(body))
            except httpx.TimeoutException:
                raise too_slow from None
            except httpx.HTTPError as err:
                raise KnowledgeError(f"{url}: the download failed ({err.__class__.__name__}). Nothing was changed.") from None
    raise KnowledgeError(f"{url}: too many redirects. Nothing was changed.")

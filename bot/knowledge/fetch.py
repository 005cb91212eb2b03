"""Fetch a web page or PDF for `index add URL`, refusing what an admin's bot should not reach.

Only http(s); no private, loopback, link-local or reserved addresses (each redirect hop
is checked too) unless the config allows them; a timeout, a size limit and a content-type
allow-list.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from bot.errors import KnowledgeError

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


def _check_target(url: str, allow_private: bool) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[::1", a port over 65535...
        raise KnowledgeError(f"{url}: this is not a valid address. Nothing was changed.") from None
    if parts.scheme not in ("http", "https"):
        raise KnowledgeError(f"{url}: only http and https addresses can be added. Nothing was changed.")
    host = parts.hostname
    if not host:
        raise KnowledgeError(f"{url}: the address has no host name. Nothing was changed.")
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise KnowledgeError(f"{url}: the host {host} could not be found. Nothing was changed.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global and not allow_private:
            raise KnowledgeError(
                f"{url}: {host} is a private, loopback or reserved address ({address}), which the config "
                "does not allow. Nothing was changed."
            )


def _file_name(url: str, content_type: str, disposition: str) -> str:
    match = re.search(r'filename="?([^";]+)"?', disposition or "")
    name = match.group(1) if match else unquote(PurePosixPath(urlsplit(url).path).name) or "page"
    suffix = CONTENT_TYPES[content_type]
    if not name.lower().endswith(suffix) and not (suffix == ".html" and name.lower().endswith(".htm")):
        name = f"{name}{suffix}"
    return name


def fetch_document(url: str, *, max_bytes: int, timeout: float, allow_private: bool) -> Fetched:
    """Download one document, following at most five checked redirects."""
    import httpx

    current = url
    deadline = time.monotonic() + timeout  # httpx times each read; this bounds the whole fetch
    too_slow = KnowledgeError(f"{url}: the server did not answer within {timeout:g} s. Nothing was changed.")
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_target(current, allow_private)
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
                        if time.monotonic() > deadline:
                            raise too_slow
                    name = _file_name(current, content_type, response.headers.get("content-disposition", ""))
                    return Fetched(url=current, file_name=name, data=bytes(body))
            except httpx.TimeoutException:
                raise too_slow from None
            except httpx.HTTPError as err:
                raise KnowledgeError(f"{url}: the download failed ({err.__class__.__name__}). Nothing was changed.") from None
    raise KnowledgeError(f"{url}: too many redirects. Nothing was changed.")

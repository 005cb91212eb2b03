"""Fetch a file an admin shared with the bot: `files.info`, then `url_private` with the bot token."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DocumentError

DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


def check_download_url(url: str, api_base_url: str) -> None:
    """The bot token goes only over HTTPS, or to the configured API's own origin (tests, proxies)."""
    if not url:
        raise DocumentError("Slack gave no download link for that file.")
    if urlsplit(url).scheme == "https" or _origin(url) == _origin(api_base_url):
        return
    raise DocumentError("That file's download link is not HTTPS, so I did not send my token to fetch it.")


async def fetch_shared_file(
    client: AsyncWebClient, file_id: str, max_bytes: int, api_base_url: str
) -> tuple[str, bytes]:
    """(file name, content) of a shared file; DocumentError with a sentence for chat if not."""
    try:
        info = (await client.files_info(file=file_id))["file"]
    except SlackApiError as err:
        raise DocumentError(f"I could not read that file from Slack ({err.response.get('error', 'error')}).") from None
    name = str(info.get("name") or info.get("title") or file_id)
    size = int(info.get("size") or 0)
    if size > max_bytes:
        raise DocumentError(f"{name} is {size:,} bytes; the limit is {max_bytes:,}.")
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    check_download_url(url, api_base_url)
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        ssl = client.ssl if client.ssl is not None else True
        async with (
            aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
            session.get(url, headers=headers, ssl=ssl) as resp,
        ):
            if resp.status != 200:
                raise DocumentError(f"Slack answered {resp.status} when I downloaded {name}.")
            html = resp.headers.get("Content-Type", "").startswith("text/html")
            if html and not name.lower().endswith((".html", ".htm")):
                raise DocumentError(f"Slack sent a sign-in page instead of {name}: the app needs the files:read scope.")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(1 << 16):
                data += chunk
                if len(data) > max_bytes:
                    raise DocumentError(f"{name} is larger than the {max_bytes:,}-byte limit.")
    except aiohttp.ClientError as err:
        raise DocumentError(f"I could not download {name} ({err.__class__.__name__}).") from None
    return name, bytes(data)

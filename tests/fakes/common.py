"""The aiohttp plumbing both fake servers share: an app, a free local port, a clean shutdown.

Only the lifecycle is shared. Each fake answers JSON and records requests its own way on
purpose: Discord's replies need a content type of exactly `application/json` (discord.py
reads the body as text otherwise), Slack's carry aiohttp's usual `; charset=utf-8`.
"""

from __future__ import annotations

from aiohttp import web

# Large enough for the PDFs and Markdown files the tests upload.
MAX_BODY = 50 * 1024 * 1024


def new_app() -> web.Application:
    """An app that accepts uploads up to MAX_BODY (aiohttp's default is 1 MiB)."""
    return web.Application(client_max_size=MAX_BODY)


async def serve(app: web.Application, host: str) -> tuple[web.AppRunner, int]:
    """Serve `app` on `host`, port 0; returns the runner and the port the OS picked."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def shutdown(runner: web.AppRunner | None, ws: web.WebSocketResponse | None) -> None:
    """Close the websocket from the server's side first, so the client gets a close frame."""
    if ws is not None and not ws.closed:
        await ws.close()
    if runner is not None:
        await runner.cleanup()

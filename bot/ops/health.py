"""`/healthz` and `/metrics` over HTTP, for orchestrators and Prometheus.

`/healthz` answers 200 only when the index is loaded *and* the adapter says its platform
connection is up (the `ready` callable it passes in), so a restart loop or a lost gateway
connection takes the bot out of rotation. Slack's HTTP mode already runs an aiohttp server:
`add_health_routes` lets it serve both paths there instead of opening a second port.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import MetricsConfig
    from bot.core import BotCore
    from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)
Ready = Callable[[], bool]


class _Health:
    """The two handlers, with what they read; remembers whether it was ever ready."""

    def __init__(self, ready: Ready, core: BotCore, metrics: Metrics | None) -> None:
        self.ready, self.core, self.metrics = ready, core, metrics
        self.started = time.monotonic()
        self.was_ready = False

    def _connected(self) -> bool:
        try:
            return bool(self.ready())
        except Exception:  # a broken readiness probe means "not ready", not a 500
            log.exception("the readiness check failed")
            return False

    async def healthz(self, request: web.Request) -> web.Response:
        connected = self._connected()
        version = self.core.index_version if self.core.started else None
        ok = connected and version is not None
        if ok:
            self.was_ready = True
        status = "ok" if ok else ("unavailable" if self.was_ready else "starting")
        body = {
            "status": status,
            "index_version": version,
            "uptime_seconds": round(time.monotonic() - self.started, 3),
            "platform_connected": connected,
        }
        return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})

    async def metrics_text(self, request: web.Request) -> web.Response:
        if self.metrics is None:
            raise web.HTTPNotFound(text="metrics are not enabled\n")
        self.metrics.sync_index(self.core)
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_health_routes(app: web.Application, *, ready: Ready, core: BotCore, metrics: Metrics | None) -> None:
    """Serve GET /healthz and GET /metrics on an existing aiohttp application."""
    health = _Health(ready, core, metrics)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/metrics", health.metrics_text)


@dataclass
class HealthServer:
    """A running health server; `port` is the bound port (useful when asked for port 0)."""

    runner: web.AppRunner
    host: str
    port: int

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_health_server(
    host: str, port: int, ready: Ready, core: BotCore, metrics: Metrics | None
) -> HealthServer:
    """Listen on host:port (0 = any free port); stop it with `await server.stop()`.

    Raises ConfigError (one sentence) when the port cannot be bound.
    """
    app = web.Application()
    add_health_routes(app, ready=ready, core=core, metrics=metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise ConfigError(
            f"cannot listen on {host}:{port} for /healthz and /metrics ({err.strerror or err}); "
            "change metrics.port or set metrics.enabled: false."
        ) from None
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    log.info("health and metrics on http://%s:%s/healthz and /metrics", host, bound)
    return HealthServer(runner, host, bound)


async def start_from_config(
    cfg: MetricsConfig, ready: Ready, core: BotCore, metrics: Metrics | None
) -> HealthServer | None:
    """The server `metrics.*` asks for, or None when `metrics.enabled` is false."""
    if not cfg.enabled:
        return None
    return await start_health_server(cfg.host, cfg.port, ready, core, metrics)

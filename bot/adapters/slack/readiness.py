"""Whether the Socket Mode connection is up, as a plain callable for `/healthz`.

slack_sdk's `SocketModeClient.is_connected()` is a coroutine, while the health probe calls a
plain function; this reads the same state that method reads: the client is not closed or
marked stale, its current websocket session is open, and pongs came back within four ping
intervals. A dropped connection reads False until slack_sdk has reconnected.
"""

from __future__ import annotations

import time

from slack_sdk.socket_mode.aiohttp import SocketModeClient


def socket_connected(client: SocketModeClient) -> bool:
    session = client.current_session
    if client.closed or client.stale or session is None or session.closed:
        return False
    last_pong = client.last_ping_pong_time
    return last_pong is None or int(time.time() - last_pong) < client.ping_interval * 4

"""A callbot process for the replica tests, configured only by CALLBOT_* variables.

    python -m tests.support.replica_child run            # `callbot run slack`, HTTP mode
    python -m tests.support.replica_child discord        # `callbot run discord`
    python -m tests.support.replica_child cli index add F # the `callbot` command

Both use the fast fake embedder (the real model would cost minutes on shared cores); what is
under test is the sharing between processes, not the model. While the file named by
REPLICA_TEST_BUILD_DELAY_FILE holds a number of seconds, a build (a batch of many texts) is
slowed by that much, so that two builds can overlap.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from tests.fake_embedder import FakeEmbedder


class ChildEmbedder(FakeEmbedder):
    def embed_batch(self, texts):  # type: ignore[no-untyped-def]
        delay = 0.0
        try:
            with open(os.environ["REPLICA_TEST_BUILD_DELAY_FILE"]) as fh:
                delay = float(fh.read().strip() or 0)
        except (KeyError, OSError, ValueError):
            pass
        if delay and len(texts) > 4:
            time.sleep(delay)
        return super().embed_batch(texts)


def _patch_embedder() -> None:
    import bot.embedding.lazy as lazy

    lazy.LazyEmbedder = lambda *a, **k: ChildEmbedder()  # type: ignore[assignment,misc]


def run() -> int:
    from bot.adapters.slack.run import serve
    from bot.app import create_app
    from bot.config import load_settings

    app = create_app(load_settings(None), embedder=ChildEmbedder())
    asyncio.run(serve(app, on_started=lambda s: print("PORT", s.port, flush=True)))
    return 0


def run_discord() -> int:
    from bot.adapters.discord.run import run as run_adapter
    from bot.app import create_app
    from bot.config import load_settings

    app = create_app(load_settings(None), embedder=ChildEmbedder())
    app.core.start()
    print("STARTED", flush=True)
    return run_adapter(app)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        sys.exit(run())
    if sys.argv[1] == "discord":
        sys.exit(run_discord())
    _patch_embedder()
    from bot.cli.main import main

    sys.argv = ["callbot", *sys.argv[2:]]
    main()

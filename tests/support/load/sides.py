"""One fake platform with its adapter, as the load driver sees it: inject questions, match replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.load.results import Asked, Reply

if TYPE_CHECKING:
    from bot.app import App


# -- the platforms --------------------------------------------------------------------------------
class Side:
    """One fake platform with its adapter: injects questions and matches the replies."""

    name = ""

    def __init__(self) -> None:
        self.asked: list[Asked] = []
        self.by_key: dict[str, Asked] = {}
        self.errors: list[str] = []
        self._unmatched: list[tuple[str, Reply]] = []  # replies whose question is not registered yet

    def register(self, key: str, asked: Asked) -> None:
        self.asked.append(asked)
        self.by_key[key] = asked

    def reply(self, key: str, reply: Reply) -> None:
        asked = self.by_key.get(key)
        if asked is None:
            self._unmatched.append((key, reply))
            return
        asked.replies.append(reply)
        asked.done.set()

    def retry_unmatched(self) -> None:
        pending, self._unmatched = self._unmatched, []
        for key, reply in pending:
            self.reply(key, reply)

    def leftovers(self) -> list[str]:
        self.retry_unmatched()
        return [f"{self.name}: a {r.kind} ({r.route}) matching no question (key {key!r})" for key, r in self._unmatched]

    # What each platform implements:
    async def start_fake(self) -> dict:
        """Start the fake; returns the platform's settings section pointing at it."""
        raise NotImplementedError

    async def start_adapter(self, app: App) -> None:
        """Start the real adapter on `app` (its core, ops kit and knowledge operations)."""
        raise NotImplementedError

    async def ask(self, user: int, j: int, text: str) -> Asked:
        """Inject user `user`'s question number `j`."""
        raise NotImplementedError

    def collect(self) -> None:
        """Match the replies the fake recorded since the last call."""
        raise NotImplementedError

    def final_errors(self) -> list[str]:
        raise NotImplementedError

    def ack_latencies(self) -> list[float]:
        """How long the platform waited for its acknowledgements (both allow 3 seconds)."""
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

"""What every command shares: the settings (loaded once) and the lazily built `App`."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

from bot.app import App, create_app
from bot.config import Settings, load_settings
from bot.core import BotCore
from bot.knowledge.operations import KnowledgeOps
from bot.types import Actor


@dataclass
class AppContext:
    """Created by the top-level group; commands take it with `@pass_app`."""

    config_file: str | None = None
    knowledge_dir: str | None = None
    index_dir: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _app: App | None = field(default=None, repr=False)

    @classmethod
    def around(cls, app: App) -> AppContext:
        """A context on parts built elsewhere (tests pass one with a core on a fake embedder)."""
        return cls(_settings=app.settings, _app=app)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            base = load_settings(self.config_file)
            self._settings = base.with_overrides(knowledge_dir=self.knowledge_dir, index_dir=self.index_dir)
        return self._settings

    def app(self, start: bool = True, log_level: str | None = "WARNING", background: bool = False) -> App:
        """The parts from `bot.app`, with the last good index version loaded (built first only
        if none can serve; a stale one serves with a warning, rebuilt beside it with `background`).

        One-shot commands log warnings only; long-running modes pass `log_level=None`
        to use the configured level.
        """
        if self._app is None:
            from bot.logging_setup import setup_logging

            setup_logging(self.settings.logging, level=log_level, settings=self.settings)
            self._app = create_app(self.settings)
        if start and not self._app.core.started:
            self._app.start(progress=terminal_progress(), background=background)
        return self._app

    def core(self, start: bool = True, log_level: str | None = "WARNING", background: bool = False) -> BotCore:
        """The app's core (see `app`)."""
        return self.app(start, log_level, background).core

    def knowledge(self, start: bool = True) -> KnowledgeOps:
        """The app's knowledge operations; `start=False` for those that need no loaded index."""
        return self.app(start).knowledge

    @staticmethod
    def cli_actor() -> Actor:
        import getpass

        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            user = "unknown"
        return Actor(platform="cli", user_id=user, display_name=user)


pass_app = click.make_pass_decorator(AppContext)  # every command module takes the context with this


def terminal_progress():
    """A tqdm progress callback on a terminal, None when stderr is not one."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc="embedding passages", unit="text", file=sys.stderr, leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar.pop("bar").close()

    return update

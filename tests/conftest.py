"""Shared fixtures: a fake embedder, and cores built on a temporary copy of knowledge/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.config import Settings
from bot.core import BotCore
from tests.fake_embedder import FakeEmbedder
from tests.support.server_fixtures import pg_url, postgres_server, redis_server, redis_url  # noqa: F401  (real servers, once per session)

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
EVAL_FILE = REPO / "tests" / "eval" / "qa.jsonl"


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def make_settings(tmp_path: Path, knowledge: Path, **overrides) -> Settings:
    data = {"knowledge_dir": str(knowledge), "index_dir": str(tmp_path / "index")}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    data.setdefault("knowledge_ops", {}).setdefault("quality_eval_file", str(EVAL_FILE))
    return Settings.model_validate(data)


@pytest.fixture
def make_app(tmp_path: Path, knowledge_copy: Path) -> Callable[..., App]:
    """`make_app(**settings_overrides)` -> the parts from `bot.app`, core started, on the fake embedder."""

    def factory(embedder=None, **overrides) -> App:
        settings = make_settings(tmp_path, knowledge_copy, **overrides)
        app = create_app(settings, embedder=embedder or FakeEmbedder())
        app.core.start()
        return app

    return factory


@pytest.fixture
def make_core(make_app) -> Callable[..., BotCore]:
    """`make_core(**settings_overrides)` -> a started BotCore on the fake embedder."""

    def factory(embedder=None, **overrides) -> BotCore:
        return make_app(embedder, **overrides).core

    return factory

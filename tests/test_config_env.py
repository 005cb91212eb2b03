"""Config keys from CALLBOT_* environment variables (containers), over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.config_env import env_overrides
from bot.errors import ConfigError


def test_nested_keys_come_from_the_environment_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("metrics:\n  port: 9200\nretrieval:\n  top_k: 4\n")
    monkeypatch.setenv("CALLBOT_STORAGE__DATABASE_URL", "postgresql+psycopg://callbot@db/callbot")
    monkeypatch.setenv("CALLBOT_METRICS__HOST", "0.0.0.0")
    monkeypatch.setenv("CALLBOT_RETRIEVAL__TOP_K", "5")
    monkeypatch.setenv("CALLBOT_DISCORD__SHARD_IDS", "[2, 3]")
    monkeypatch.setenv("CALLBOT_DISCORD__SHARD_COUNT", "4")
    monkeypatch.setenv("CALLBOT_INDEX_DIR", "/data/index")
    monkeypatch.setenv("CALLBOT_SLACK__COMMAND", "/123")
    settings = load_settings(str(config))
    assert settings.storage.database_url == "postgresql+psycopg://callbot@db/callbot"
    assert (settings.metrics.host, settings.metrics.port) == ("0.0.0.0", 9200)  # the file's port stays
    assert settings.retrieval.top_k == 5
    assert (settings.discord.shard_ids, settings.discord.shard_count) == ([2, 3], 4)
    assert settings.index_dir == "/data/index"
    assert settings.slack.command == "/123"  # a text key keeps its text


def test_without_a_file_the_environment_still_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLBOT_CONFIG", raising=False)
    monkeypatch.setenv("CALLBOT_STORAGE__REDIS_URL", "redis://redis:6379/0")
    assert load_settings(None).storage.redis_url == "redis://redis:6379/0"


def test_a_bad_value_names_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLBOT_CONFIG", raising=False)
    monkeypatch.setenv("CALLBOT_METRICS__PORT", "lots")
    with pytest.raises(ConfigError, match=r"CALLBOT_\* variables: config key 'metrics.port' is invalid"):
        load_settings(None)


def test_secrets_and_unrelated_variables_are_not_keys() -> None:
    env = {"CALLBOT_FEEDBACK_SALT": "s", "CALLBOT_CONFIG": "x.yaml", "CALLBOT_FEEDBACK__SALT_ENV": "MY_SALT"}
    assert env_overrides(Settings, env) == {"feedback": {"salt_env": "MY_SALT"}}

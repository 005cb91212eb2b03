"""Config: defaults, lookup order, and errors that name the offending key."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_settings, parse_settings, secret
from bot.errors import ConfigError


def test_defaults_work_without_any_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLBOT_CONFIG", raising=False)
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.embedding.model == "default"
    assert settings.retrieval.top_k == 3


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("retrieval:\n  top_kk: 4\n")
    with pytest.raises(ConfigError, match=r"unknown config key 'retrieval\.top_kk'"):
        load_settings(str(path))


def test_wrong_type_is_named():
    with pytest.raises(ConfigError, match=r"'limits\.max_question_chars' is invalid"):
        parse_settings({"limits": {"max_question_chars": "lots"}})


def test_out_of_range_value_is_refused():
    with pytest.raises(ConfigError, match=r"'retrieval\.top_k'"):
        parse_settings({"retrieval": {"top_k": 0}})


def test_not_a_mapping(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_settings(str(path))


def test_invalid_yaml(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("retrieval: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(str(path))


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("retrieval:\n  top_k: 4\n")
    env_file = tmp_path / "env.yaml"
    env_file.write_text("retrieval:\n  top_k: 5\n")
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("retrieval:\n  top_k: 6\n")
    monkeypatch.delenv("CALLBOT_CONFIG", raising=False)
    assert load_settings(None).retrieval.top_k == 4
    monkeypatch.setenv("CALLBOT_CONFIG", str(env_file))
    assert load_settings(None).retrieval.top_k == 5
    assert load_settings(str(explicit)).retrieval.top_k == 6


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(str(tmp_path / "nope.yaml"))


def test_secrets_come_from_the_named_environment_variable(monkeypatch):
    settings = parse_settings({"discord": {"token_env": "MY_DISCORD"}})
    monkeypatch.setenv("MY_DISCORD", "  s3cret  ")
    assert secret(settings.discord.token_env) == "s3cret"
    monkeypatch.delenv("MY_DISCORD")
    assert secret(settings.discord.token_env) is None


def test_example_config_is_valid_and_documents_every_key():
    """config.example.yaml must parse, and name every key the Settings model has."""
    from pathlib import Path

    import yaml

    example = Path(__file__).resolve().parents[1] / "config.example.yaml"
    data = yaml.safe_load(example.read_text())
    assert parse_settings(data) is not None

    def keys(model, prefix=""):
        for name in type(model).model_fields:
            value = getattr(model, name)
            if hasattr(value, "model_fields"):
                yield from keys(value, f"{prefix}{name}.")
            else:
                yield f"{prefix}{name}"

    def present(d, dotted):
        for part in dotted.split("."):
            if not isinstance(d, dict) or part not in d:
                return False
            d = d[part]
        return True

    missing = [k for k in keys(Settings()) if not present(data, k)]
    assert not missing, f"config.example.yaml does not document: {missing}"

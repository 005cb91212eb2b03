"""The deployment files parse and say what docs/deploy.md promises: CPU-only image as a
non-root user with the model baked in and a /healthz check; compose with two Slack replicas
behind nginx, PostgreSQL and Redis, each with a health check; a systemd unit."""

from __future__ import annotations

import configparser
import re

import yaml

from tests.conftest import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def test_the_image_runs_as_a_non_root_user_after_installing() -> None:
    rows = _instructions()
    users = [(i, arg) for i, (word, arg) in enumerate(rows) if word == "USER"]
    assert users and users[-1][1] not in ("root", "0"), "the image must not run as root"
    installs = [i for i, (word, arg) in enumerate(rows) if word == "RUN" and "make install" in arg]
    assert installs and installs[0] > users[-1][0], "the venv is built by the non-root user"


def test_the_image_is_cpu_only_and_installs_with_the_makefile() -> None:
    everything = " ".join(f"{word} {arg}" for word, arg in _instructions())
    assert not re.search(r"cuda|nvidia", everything, re.IGNORECASE), "no CUDA base image or package"
    run = " ".join(arg for word, arg in _instructions() if word == "RUN")
    assert "download.pytorch.org/whl/cpu" in run and "make install" in run
    assert "check-cpu-torch" in (REPO / "Makefile").read_text(encoding="utf-8"), "make install refuses CUDA"


def test_the_model_export_is_baked_in_and_healthz_is_the_health_check() -> None:
    rows = _instructions()
    assert any(word == "RUN" and "callbot index build" in arg for word, arg in rows)
    checks = [arg for word, arg in rows if word == "HEALTHCHECK"]
    assert len(checks) == 1 and "CALLBOT_HEALTH_URL" in checks[0]
    assert any(word == "ENV" and "/healthz" in arg for word, arg in rows)


def test_compose_has_two_replicas_behind_one_port_with_postgres_and_redis() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"bot-a", "bot-b", "nginx", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    for name in ("bot-a", "bot-b"):
        env = services[name]["environment"]
        assert env["CALLBOT_STORAGE__DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CALLBOT_STORAGE__REDIS_URL"].startswith("redis://")
        assert env["CALLBOT_SLACK__MODE"] == "http" and "CALLBOT_FEEDBACK_SALT" in env
        assert "/healthz" in " ".join(services[name]["healthcheck"]["test"])
        assert {v.split(":")[1] for v in services[name]["volumes"]} == {"/app/knowledge", "/app/index"}
    assert [p.split(":")[0] for p in services["nginx"]["ports"]] == ["3000"]
    assert "ports" not in services["bot-a"] and "ports" not in services["bot-b"], "one port: nginx's"
    assert services["postgres"]["image"].startswith("postgres:15")
    nginx = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server bot-a:3000" in nginx and "server bot-b:3000" in nginx


def test_compose_settings_are_real_config_keys() -> None:
    from bot.config import Settings
    from bot.config_env import env_overrides

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in compose["services"]["bot-a"]["environment"].items()}
    keys = [k for k in env if k.startswith("CALLBOT_") and "__" in k]
    found = env_overrides(Settings, env)
    flat = {f"CALLBOT_{s.upper()}__{k.upper()}" for s, inner in found.items() for k in inner}
    assert set(keys) == flat, "every CALLBOT_SECTION__KEY in compose is a config key"
    Settings.model_validate(found)


def test_the_systemd_unit_runs_callbot_as_its_own_user() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read_string((REPO / "deploy" / "callbot.service").read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["ExecStart"].endswith("callbot run")
    assert service["User"] == "callbot" and service["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "multi-user.target"

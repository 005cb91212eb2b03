"""Session fixtures for the real servers. `tests/conftest.py` imports them, so every test
module shares one PostgreSQL and one Redis per session (started on first use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import Postgres, Redis, Unavailable, running_postgres, running_redis


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    try:
        with running_postgres() as server:
            yield server
    except Unavailable as why:
        pytest.skip(f"no PostgreSQL for this test: {why}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    try:
        with running_redis() as server:
            yield server
    except Unavailable as why:
        pytest.skip(f"no Redis for this test: {why}")


@pytest.fixture
def pg_url(postgres_server: Postgres) -> str:
    """A fresh, empty database on the session's PostgreSQL."""
    return postgres_server.new_database()


@pytest.fixture
def redis_url(redis_server: Redis) -> str:
    """The session's Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url()

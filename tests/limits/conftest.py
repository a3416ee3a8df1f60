"""Redis for the shared-limit tests: skipped with the reason when absent, unless required.

The server is ``IDCARD_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). With
``IDCARD_TEST_REQUIRE_SERVICES=1`` (CI) an unreachable Redis fails the tests instead.
Each test gets its own key prefix, and every key under it is deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

REDIS_URL = os.environ.get("IDCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class FakeClock:
    """A clock the test moves by hand, so window edges are checked exactly."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis URL, after checking that it answers."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URL} is not reachable: {type(exc).__name__}: {exc}"
        if os.environ.get("IDCARD_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (IDCARD_TEST_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    """A prefix unique to this test; all keys under it are removed when the test ends."""
    prefix = f"idcard-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def new_client(redis_url: str) -> Iterator[Callable[[], redis.Redis]]:
    """Factory of independent Redis clients (separate connection pools), closed afterwards."""
    made: list[redis.Redis] = []

    def make() -> redis.Redis:
        client = redis.Redis.from_url(redis_url)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()

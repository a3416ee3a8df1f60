"""One log line per request without personal data; limits shared through Redis."""

from __future__ import annotations

import dataclasses
import logging
import os
import time

import pytest
import redis

from idcard_ocr.api.idcard_endpoint import EndpointParts
from idcard_ocr.limits.switch_cache import LocalSwitchCache
from idcard_ocr.storage.sql import SqlStore
from tests.api.support import FRONT_INFO, Service, ServiceFactory

pytestmark = pytest.mark.anyio
REDIS_URL = os.environ.get("IDCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def test_one_line_per_request_without_names_numbers_or_secrets(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caller = service.account()
    with caplog.at_level(logging.INFO, logger="idcard_ocr"):
        ok = await service.post_photo(caller)
        refused = await service.post_photo(caller, sign="f" * 64)
    lines = [r.getMessage() for r in caplog.records if r.name == "idcard_ocr.api"]
    assert len(lines) == 2
    assert f"taskNo={ok['taskNo']}" in lines[0] and f"appId={caller.app_id}" in lines[0]
    assert "code=200" in lines[0] and "charge=true" in lines[0] and "recognize_ms=" in lines[0]
    assert f"taskNo={refused['taskNo']}" in lines[1] and "code=400" in lines[1]
    everything = "\n".join(lines)
    for private in (FRONT_INFO["name"], FRONT_INFO["number"], FRONT_INFO["address"], caller.secret):
        assert private not in everything


async def test_log_line_neutralises_hostile_app_ids(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="idcard_ocr"):
        await service.post({"appId": "x\nFAKE code=200", "timestamp": "1", "sign": "s"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "idcard_ocr.api"]
    assert "\n" not in line and "appId=x?FAKE?code?200" in line


@pytest.fixture
def redis_url() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        if os.environ.get("IDCARD_TEST_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {exc}")
    return REDIS_URL


@pytest.mark.redis
async def test_rate_and_quota_through_redis(
    service_factory: ServiceFactory, store: SqlStore, redis_url: str
) -> None:
    def local_switches(parts: EndpointParts) -> EndpointParts:
        assert type(parts.rate_limiter).__name__ == "RedisRateLimiter"
        assert type(parts.quota_counter).__name__ == "RedisQuotaCounter"
        # Keep this test's switches out of the fleet-wide Redis copy other servers may share.
        return dataclasses.replace(parts, switches=LocalSwitchCache(store.get_switches, 1.0))

    service = service_factory(redis_url=redis_url, adjust_parts=local_switches)
    caller = service.account(balance=10, qps=1, daily_quota=1)
    assert (await service.post_photo(caller))["code"] == 200
    assert (await service.post_photo(caller))["code"] == 609
    time.sleep(1.05)
    assert (await service.post_photo(caller))["code"] == 606
    assert service.balance(caller) == 9 and service.billed(caller) == 1
    await service.http.aclose()

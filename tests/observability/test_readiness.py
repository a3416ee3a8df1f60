"""Readiness: unready without the store, still ready (degraded) without Redis."""

from __future__ import annotations

import pytest
import redis

from idcard_ocr.observability.readiness import check_readiness
from idcard_ocr.storage.base import Switches
from idcard_ocr.storage.sql import SqlStore


class UnreachableStore:
    def get_switches(self) -> Switches:
        raise ConnectionError("database down")


def test_a_working_store_without_redis_is_ready(store: SqlStore) -> None:
    report = check_readiness(store)

    assert report.ready and report.status_code == 200
    assert report.body() == {"status": "ready", "checks": {"store": "ok", "redis": "off"}}


def test_a_store_that_does_not_answer_makes_the_worker_unready() -> None:
    report = check_readiness(UnreachableStore())  # type: ignore[arg-type]

    assert report.status_code == 503
    assert report.body()["status"] == "unready"
    assert report.checks["store"] == "down"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redis_down_is_reported_but_keeps_the_worker_ready(store: SqlStore) -> None:
    unreachable = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)

    report = check_readiness(store, unreachable.ping)

    assert report.ready
    assert report.checks == {"store": "ok", "redis": "degraded"}

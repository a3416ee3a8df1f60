"""Probes a load balancer or Kubernetes uses: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import Service

pytestmark = pytest.mark.anyio


async def test_readyz_is_ready_when_the_store_answers(service: Service) -> None:
    response = await service.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"store": "ok", "redis": "off"}}


async def test_readyz_is_unready_when_the_store_does_not_answer(service: Service, monkeypatch: Any) -> None:
    def down() -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr(service.store, "get_switches", down)
    response = await service.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unready" and response.json()["checks"]["store"] == "down"


async def test_metrics_count_answers_by_code(service: Service) -> None:
    caller = service.account(balance=1)
    assert (await service.post_photo(caller))["code"] == 200
    text = (await service.http.get("/metrics")).text
    assert "# TYPE" in text
    # Counts only: never an appId or card data in the exposition.
    assert caller.app_id not in text

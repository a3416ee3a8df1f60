"""A burst against a small balance or a long line: decided at once, books exact, no hold left.

Each call past the rate check holds its price before its photo is recognised, so the calls a
balance cannot pay for are told 603 at once and never reach the recogniser; a worker whose line
is longer than it can serve within the deadline answers 609 at once instead of 610 later. The
recogniser here is a stub that takes real time (what is tested is the service around it).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from idcard_ocr.pipeline.types import Recognition
from tests.api.support import Caller, Service, ServiceFactory, StubRecognizer, front_recognition

pytestmark = pytest.mark.anyio


class HoldWatchingRecognizer(StubRecognizer):
    """A stub that notes, while it recognises, how many holds the store has open."""

    store: Any = None
    holds_seen: list[int]

    def __init__(self, answer: Recognition, delay_s: float = 0.0) -> None:
        super().__init__(answer=answer, delay_s=delay_s)
        self.holds_seen = []

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        self.holds_seen.append(len(self.store.open_holds()))
        return super().recognize(image)


async def timed_post(service: Service, caller: Caller) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    body = await service.post_photo(caller)
    return body, time.perf_counter() - started


async def until_line_empty(service: Service, within_s: float = 5.0) -> None:
    """Wait for recognitions a call stopped waiting for (610) to end on their thread."""
    line = service.app.state.endpoint.line
    deadline = time.monotonic() + within_s
    while line.in_line and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert line.in_line == 0


async def test_twelve_concurrent_calls_on_balance_five_through_one_recogniser(
    service_factory: ServiceFactory,
) -> None:
    service = service_factory(recognizer=StubRecognizer(delay_s=0.15), recognizer_pool=1)
    caller = service.account(balance=5)
    for burst in range(3):  # the same answer every time, not by luck of scheduling
        timed = await asyncio.gather(*(timed_post(service, caller) for _ in range(12)))
        bodies = [body for body, _ in timed]
        assert sorted(b["code"] for b in bodies) == [200] * 5 + [603] * 7, burst
        assert [b["charge"] for b in bodies if b["code"] == 200] == [True] * 5
        assert all(b["charge"] is False and "data" not in b for b in bodies if b["code"] == 603)
        # The 603s did not queue behind the five recognitions (0.75 s of them in a row).
        assert max(s for b, s in timed if b["code"] == 603) < max(s for b, s in timed if b["code"] == 200)
        assert service.balance(caller) == 0
        assert service.billed(caller) == 5 * (burst + 1)
        assert service.recognizer.calls == 5 * (burst + 1)  # the refused cost no recognition
        assert service.store.open_holds() == []
        service.store.update_account(caller.app_id, topup=5)
    usage = service.store.usage(caller.app_id)[0]
    assert usage.by_code == {200: 15, 603: 21}
    await service.http.aclose()


async def test_a_burst_past_the_daily_quota_is_refused_before_recognition(
    service_factory: ServiceFactory,
) -> None:
    service = service_factory(recognizer=StubRecognizer(delay_s=0.1), recognizer_pool=1)
    caller = service.account(balance=100, daily_quota=3)
    bodies = await asyncio.gather(*(service.post_photo(caller) for _ in range(10)))
    assert sorted(b["code"] for b in bodies) == [200] * 3 + [606] * 7
    assert service.recognizer.calls == 3
    assert (service.balance(caller), service.billed(caller)) == (97, 3)
    assert service.store.open_holds() == []
    await service.http.aclose()


async def test_a_hold_is_released_when_the_result_is_not_billable(service_factory: ServiceFactory) -> None:
    not_a_card = Recognition(text_found=True, side="front", info={"name": "广告"}, validity={})
    recognizer = HoldWatchingRecognizer(answer=not_a_card)
    service = service_factory(recognizer=recognizer)
    recognizer.store = service.store
    caller = service.account(balance=1)
    body = await service.post_photo(caller)
    assert (body["code"], body["data"]["result"], body["charge"]) == (200, 1, False)
    assert recognizer.holds_seen == [1]  # the unit was held while the photo was read
    assert service.store.open_holds() == [] and service.balance(caller) == 1
    recognizer.answer = front_recognition()
    body = await service.post_photo(caller)  # the released unit pays for the next card
    assert (body["code"], body["charge"]) == (200, True)
    assert (service.balance(caller), service.billed(caller)) == (0, 1)
    await service.http.aclose()


async def test_a_hold_is_released_when_recognition_fails_or_times_out(
    service_factory: ServiceFactory,
) -> None:
    service = service_factory(
        recognizer=StubRecognizer(answer=RuntimeError("engine failed")), recognition_timeout_s=0.3
    )
    caller = service.account(balance=1)
    assert (await service.post_photo(caller))["code"] == 301
    assert service.store.open_holds() == [] and service.balance(caller) == 1
    service.recognizer.answer, service.recognizer.delay_s = front_recognition(), 0.8
    started = time.perf_counter()
    body = await service.post_photo(caller)
    assert (body["code"], body["charge"]) == (610, False)
    assert time.perf_counter() - started < 0.7
    assert service.store.open_holds() == [] and service.balance(caller) == 1
    await until_line_empty(service)  # the recognition it stopped waiting for ends unbilled
    service.recognizer.delay_s = 0.0
    body = await service.post_photo(caller)
    assert (body["code"], body["charge"]) == (200, True)
    assert (service.balance(caller), service.billed(caller)) == (0, 1)
    assert service.store.usage(caller.app_id)[0].by_code == {200: 1, 301: 1, 610: 1}
    await service.http.aclose()


async def test_an_expired_hold_of_a_dead_worker_is_reclaimed(service: Service) -> None:
    caller = service.account(balance=1)
    # A worker killed mid-call ten minutes ago left its hold on the only unit.
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    service.store.place_hold("D" * 20, caller.app_id, price=1, daily_quota=None, at=long_ago, ttl_s=60)
    assert [h.task_no for h in service.store.open_holds(caller.app_id)] == ["D" * 20]
    body = await service.post_photo(caller)
    assert (body["code"], body["charge"]) == (200, True)
    assert service.store.open_holds() == []  # deleted by the next hold on the account
    assert (service.balance(caller), service.billed(caller)) == (0, 1)
    await service.http.aclose()


async def test_a_live_hold_of_another_call_is_respected(service: Service) -> None:
    caller = service.account(balance=1)
    now = datetime.now(UTC)
    service.store.place_hold("L" * 20, caller.app_id, price=1, daily_quota=None, at=now, ttl_s=60)
    body = await service.post_photo(caller)
    assert (body["code"], body["charge"]) == (603, False)
    assert service.recognizer.calls == 0
    assert service.store.release_hold("L" * 20) is True
    body = await service.post_photo(caller)
    assert (body["code"], body["charge"]) == (200, True)
    await service.http.aclose()


async def test_a_line_longer_than_the_deadline_is_answered_609_at_once(
    service_factory: ServiceFactory,
) -> None:
    # One recogniser, 1 s a photo, 2.5 s deadline: a call behind two others would finish at 3 s.
    service = service_factory(
        recognizer=StubRecognizer(delay_s=1.0), recognizer_pool=1, recognition_timeout_s=2.5
    )
    caller = service.account(balance=100)
    assert (await service.post_photo(caller))["code"] == 200  # measures the recognition time
    timed = await asyncio.gather(*(timed_post(service, caller) for _ in range(6)))
    bodies = [body for body, _ in timed]
    assert sorted(b["code"] for b in bodies) == [200] * 2 + [609] * 4
    refused = [(b, s) for b, s in timed if b["code"] == 609]
    assert all(b["msg"] == "请求过于频繁,请稍候再试" and b["charge"] is False for b, _ in refused)
    assert all(s < 0.8 for _, s in refused)  # at once, not after waiting
    assert service.recognizer.calls == 3
    assert (service.balance(caller), service.billed(caller)) == (97, 3)
    assert service.store.open_holds() == []
    # Once the line has drained, calls are served again.
    await until_line_empty(service)
    assert (await service.post_photo(caller))["code"] == 200
    await service.http.aclose()

"""A recognised card is answered exactly as the contract shows and billed exactly once."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest

from idcard_ocr.pipeline.types import Recognition
from tests.api.support import (
    FRONT_INFO,
    Service,
    ServiceFactory,
    StubRecognizer,
    front_recognition,
    jpeg_bytes,
)

pytestmark = pytest.mark.anyio


async def test_front_card_answer_matches_the_contract_and_charges_one_unit(service: Service) -> None:
    caller = service.account(balance=10)
    response = await service.http.post(
        "/ocr/idcard-v1", data=caller.signed(), files={"file": ("card.jpg", jpeg_bytes())}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    # UTF-8 characters on the wire, not \u escapes.
    assert "赵宁宁".encode() in response.content
    body = response.json()
    assert list(body) == ["code", "msg", "taskNo", "charge", "data"]
    assert body["code"] == 200 and body["msg"] == "成功" and body["charge"] is True
    assert re.fullmatch(r"\d{20}", body["taskNo"])
    assert body["data"] == {
        "result": 0,
        "side": "front",
        "info": FRONT_INFO,
        "validity": {"birthday": True, "number": True, "address": True, "sex": True, "name": True},
    }
    assert list(body["data"]["info"]) == [
        "name",
        "number",
        "sex",
        "nation",
        "year",
        "month",
        "day",
        "address",
    ]
    assert service.balance(caller) == 9
    assert service.billed(caller) == 1


async def test_rotated_back_card_reports_clockwise_rotation(service_factory: ServiceFactory) -> None:
    back = Recognition(
        text_found=True,
        side="back",
        rotate=90,
        info={"authority": "杭州市公安局余杭分局", "timelimit": "20190806-20390806"},
        validity={"authority": True, "timelimit": True},
    )
    service = service_factory(recognizer=StubRecognizer(answer=back))
    caller = service.account()
    body = await service.post_photo(caller)
    assert body["data"] == {
        "result": 0,
        "side": "back",
        "rotate": "cw90",
        "info": {"authority": "杭州市公安局余杭分局", "timelimit": "20190806-20390806"},
        "validity": {"authority": True, "timelimit": True},
    }
    await service.http.aclose()


async def test_not_a_card_is_result_1_with_empty_fields_unbilled(
    service_factory: ServiceFactory,
) -> None:
    unreadable = Recognition(text_found=True, side="front", info={"name": "广告"}, validity={})
    service = service_factory(recognizer=StubRecognizer(answer=unreadable))
    caller = service.account(balance=3)
    body = await service.post_photo(caller)
    assert body["code"] == 200 and body["charge"] is False
    assert body["data"] == {
        "result": 1,
        "side": "front",
        "info": dict.fromkeys(FRONT_INFO, ""),
        "validity": dict.fromkeys(["birthday", "number", "address", "sex", "name"], False),
    }
    assert service.balance(caller) == 3 and service.billed(caller) == 0
    await service.http.aclose()


async def test_twenty_concurrent_calls_on_balance_five_bill_five(
    service_factory: ServiceFactory,
) -> None:
    # A slow recogniser keeps all twenty past the early balance check before any is charged.
    service = service_factory(
        recognizer=StubRecognizer(answer=front_recognition(), delay_s=0.05), recognizer_pool=20
    )
    caller = service.account(balance=5)
    bodies = await asyncio.gather(*(service.post_photo(caller) for _ in range(20)))
    codes = sorted(b["code"] for b in bodies)
    assert codes == [200] * 5 + [603] * 15
    assert sum(b["charge"] for b in bodies) == 5
    assert all("data" not in b for b in bodies if b["code"] == 603)
    assert len({b["taskNo"] for b in bodies}) == 20
    assert service.balance(caller) == 0
    assert service.billed(caller) == 5
    await service.http.aclose()


async def test_concurrent_calls_past_the_daily_quota_lose_with_606(service_factory: ServiceFactory) -> None:
    service = service_factory(
        recognizer=StubRecognizer(answer=front_recognition(), delay_s=0.05), recognizer_pool=10
    )
    caller = service.account(balance=100, daily_quota=3)
    bodies = await asyncio.gather(*(service.post_photo(caller) for _ in range(10)))
    assert sorted(b["code"] for b in bodies) == [200] * 3 + [606] * 7
    assert all(b["charge"] is False for b in bodies if b["code"] == 606)
    assert service.balance(caller) == 97 and service.billed(caller) == 3
    await service.http.aclose()


async def test_the_call_gives_the_recogniser_the_date_its_dates_are_checked_against(
    service: Service,
) -> None:
    # Birth dates and the term are judged as of the call's date, chosen by the service once per
    # call (for the reading, its extras and every card of a page), never inside the pipeline.
    caller = service.account(balance=10)
    for extra in ({}, {"multi": "1", "risk": "1"}):
        body = await service.post(caller.signed(**extra), files={"file": ("card.jpg", jpeg_bytes())})
        assert body["code"] == 200
    assert service.recognizer.dates == [date.today(), date.today()]

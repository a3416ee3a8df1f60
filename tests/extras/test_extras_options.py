"""The options' contract, on a stub recogniser: off by default, exact body without them, 400 on
bad values, never a change in billing, and sideMatch."""

from __future__ import annotations

import pytest

from idcard_ocr.pipeline.types import Recognition
from tests.api.support import FRONT_INFO, FRONT_VALIDITY
from tests.extras.conftest import StubService

pytestmark = pytest.mark.anyio
ALL_OPTIONS = {"detail": "1", "cropCard": "1", "cropPortrait": "1", "quality": "1", "risk": "1"}


async def test_without_options_the_body_is_exactly_the_contract(stub_service: StubService) -> None:
    body = await stub_service.ask()
    assert list(body) == ["code", "msg", "taskNo", "charge", "data"]
    assert body["code"] == 200 and body["charge"] is True
    assert list(body["data"]) == ["result", "side", "info", "validity"]
    assert body["data"]["info"] == FRONT_INFO and body["data"]["validity"] == FRONT_VALIDITY
    assert all(isinstance(v, str) for v in body["data"]["info"].values())
    assert all(isinstance(v, bool) for v in body["data"]["validity"].values())


async def test_options_switched_off_change_nothing(stub_service: StubService) -> None:
    plain = await stub_service.ask()
    off = await stub_service.ask(detail="0", cropCard="false", cropPortrait="FALSE", quality="", risk="0")
    assert off["data"] == plain["data"]


@pytest.mark.parametrize("field", ["detail", "cropCard", "cropPortrait", "quality", "risk", "side"])
@pytest.mark.parametrize("value", ["yes", "2", "on", "true1"])
async def test_a_bad_option_value_is_a_400_naming_it_and_unbilled(
    stub_service: StubService, field: str, value: str
) -> None:
    body = await stub_service.ask(**{field: value})
    assert body["code"] == 400 and body["msg"] == f"参数错误: {field}"
    assert body["charge"] is False and "data" not in body
    assert stub_service.balance() == 100 and stub_service.recognizer.calls == 0


async def test_every_option_adds_its_key_and_billing_is_unchanged(stub_service: StubService) -> None:
    body = await stub_service.ask(**ALL_OPTIONS, side="front")
    assert body["code"] == 200 and body["charge"] is True
    assert stub_service.balance() == 99  # one call, one unit, as without options
    data = body["data"]
    assert list(data)[:4] == ["result", "side", "info", "validity"]
    # The stub reports no card outline: no crops, a quality score of 0, the number still checked.
    assert data["detail"]["card"] is None
    assert set(data["detail"]["fields"]) == set(FRONT_INFO)
    assert "cropCard" not in data and "cropPortrait" not in data
    assert data["quality"]["score"] == 0 and data["quality"]["metrics"]["cardFound"] == 0
    # The vendor's sample number ends in 0 where its check character is 5: numberCheck catches it.
    assert data["risk"]["numberCheck"] == 0
    assert not any(data["risk"]["flags"].values())
    assert set(data["risk"]["flags"]) == {"photocopy", "screen", "temporary", "expired"}
    assert data["sideMatch"] is True


async def test_an_unrecognised_card_stays_unbilled_with_options(stub_service: StubService) -> None:
    stub_service.recognizer.answer = Recognition(text_found=True, side="front")  # result 1
    body = await stub_service.ask(**ALL_OPTIONS)
    assert body["code"] == 200 and body["data"]["result"] == 1 and body["charge"] is False
    assert stub_service.balance() == 100
    assert body["data"]["risk"]["numberCheck"] == -1
    assert all(f["box"] is None for f in body["data"]["detail"]["fields"].values())


async def test_side_mismatch_is_reported_not_guessed_over(stub_service: StubService) -> None:
    body = await stub_service.ask(side="back")
    assert body["data"]["sideMatch"] is False
    assert body["data"]["side"] == "front" and body["data"]["info"] == FRONT_INFO  # the detected side's
    assert body["charge"] is True
    assert (await stub_service.ask(side="FRONT"))["data"]["sideMatch"] is True

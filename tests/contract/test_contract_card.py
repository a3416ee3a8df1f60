"""The one mapping from a recognition to the contract's answer, and the values it shares."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from idcard_ocr.cli.scan import scan_one
from idcard_ocr.client import compute_sign
from idcard_ocr.contract import sample
from idcard_ocr.contract.card import (
    BACK_INFO_KEYS,
    BACK_VALIDITY_KEYS,
    FRONT_INFO_KEYS,
    FRONT_VALIDITY_KEYS,
    answer_of,
    data_of,
)
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.pipeline.types import BACK_FIELDS, FRONT_FIELDS, Recognition

CARD = Path(__file__).resolve().parent.parent / "data" / "cards" / "front_0001.jpg"


def _front(**changes: Any) -> Recognition:
    fields: dict[str, Any] = {
        "text_found": True, "side": "front", "info": dict(sample.FRONT_INFO),
        "validity": dict(sample.FRONT_VALIDITY), **changes,
    }  # fmt: skip
    return Recognition(**fields)


def test_a_read_front_is_the_contracts_sample_with_keys_in_order() -> None:
    code, data = answer_of(_front())
    assert code == 200 and data is not None
    assert data == {
        "result": 0, "side": "front",
        "info": dict(sample.FRONT_INFO), "validity": dict(sample.FRONT_VALIDITY),
    }  # fmt: skip
    assert list(data) == ["result", "side", "info", "validity"]  # no rotate when upright
    assert tuple(data["info"]) == FRONT_INFO_KEYS and tuple(data["validity"]) == FRONT_VALIDITY_KEYS


def test_a_turned_back_says_how_far_it_was_turned() -> None:
    back = Recognition(True, "back", 90, dict(sample.BACK_INFO), dict(sample.BACK_VALIDITY))
    data = data_of(back)
    assert list(data) == ["result", "side", "rotate", "info", "validity"] and data["rotate"] == "cw90"
    assert data["info"] == dict(sample.BACK_INFO)
    assert tuple(data["info"]) == BACK_INFO_KEYS and tuple(data["validity"]) == BACK_VALIDITY_KEYS


def test_nothing_that_checks_out_is_result_1_with_every_value_blanked() -> None:
    data = data_of(_front(validity=dict.fromkeys(FRONT_VALIDITY_KEYS, False)))
    assert data["result"] == 1
    assert data["info"] == dict.fromkeys(FRONT_INFO_KEYS, "")
    assert data["validity"] == dict.fromkeys(FRONT_VALIDITY_KEYS, False)


def test_a_field_never_read_is_empty_and_not_valid() -> None:
    info = {k: v for k, v in sample.FRONT_INFO.items() if k != "address"}
    validity = {k: v for k, v in sample.FRONT_VALIDITY.items() if k != "address"}
    data = data_of(_front(info=info, validity=validity))
    assert data["info"]["address"] == "" and data["validity"]["address"] is False


def test_no_text_is_301_without_data() -> None:
    assert answer_of(Recognition(text_found=False)) == (301, None)


def test_the_contract_names_every_field_the_pipeline_reads() -> None:
    # The wire order is the contract's; the pipeline must not read a field the answer drops.
    assert set(FRONT_INFO_KEYS) == set(FRONT_FIELDS) and set(BACK_INFO_KEYS) == set(BACK_FIELDS)


class _Stub:
    def __init__(self, answer: Recognition) -> None:
        self.answer = answer

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        return self.answer


def test_scan_answers_with_the_same_mapping() -> None:
    front = _front(rotate=270)
    assert scan_one(str(CARD), _Stub(front), 2 * 1024 * 1024) == {
        "file": str(CARD), "code": 200, "data": data_of(front),
    }  # fmt: skip
    blank = scan_one(str(CARD), _Stub(Recognition(text_found=False)), 2 * 1024 * 1024)
    assert blank == {"file": str(CARD), "code": 301, "msg": "识别失败"}
    too_big = scan_one(str(CARD), _Stub(front), 1000)
    assert too_big == {"file": str(CARD), "code": 400, "msg": "照片大小不能超过2MB"}


def test_one_sign_for_service_sdk_and_load_test() -> None:
    # sha256("xyzxy2121zxyz" + "efcefcef1121cefcefc1212121" + "1555378976238"), from sha256sum.
    vendor = "6ddcdc405743c576cb6d34b17b47ed56e2b9b6670fae1fe85ed01244fd31558b"
    assert sign_of("xyzxy2121zxyz", "efcefcef1121cefcefc1212121", "1555378976238") == vendor
    assert compute_sign("xyzxy2121zxyz", "efcefcef1121cefcefc1212121", 1555378976238) == vendor

"""Answers with code 200 become typed results: the fields a caller reads, dates, rotation."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from client_fakes import APP_ID, APP_SECRET, BACK_BODY, BASE_URL, FRONT_BODY

from idcard_ocr.client import BackInfo, Client, FrontInfo, IdCardResult, InvalidResponse


def recognize_with(scripted, body) -> IdCardResult:
    api = scripted(body)
    with Client(APP_ID, APP_SECRET, BASE_URL, transport=api.transport()) as client:
        return client.recognize(file=b"\xff\xd8\xff\xe0 jpeg")


def test_front_side_fields_and_birth_date(scripted) -> None:
    card = recognize_with(scripted, FRONT_BODY)
    assert card.recognized and card.result == 0 and card.charged
    assert card.task_no == "65605503936940344488"
    assert card.side == "front" and card.rotate == 0 and card.back is None
    assert card.front == FrontInfo(
        name="赵宁宁",
        number="330106198912014010",
        sex="男",
        nation="汉",
        year="1989",
        month="12",
        day="1",
        address="浙江省杭州市西湖区文二路108号",
    )
    assert card.front.birth_date == dt.date(1989, 12, 1)
    assert card.validity == {"birthday": True, "number": True, "address": True, "sex": True, "name": True}
    assert card.raw == FRONT_BODY


def test_back_side_term_and_rotation(scripted) -> None:
    card = recognize_with(scripted, BACK_BODY)
    assert card.side == "back" and card.front is None
    assert card.rotate == 90
    assert card.back is not None and card.back.authority == "杭州市公安局余杭分局"
    assert card.back.valid_from == dt.date(2019, 8, 6)
    assert card.back.valid_until == dt.date(2039, 8, 6)
    assert not card.back.is_long_term


@pytest.mark.parametrize(("rotate", "degrees"), [("cw90", 90), ("cw180", 180), ("cw270", 270)])
def test_every_rotation_reads_as_degrees(scripted, rotate: str, degrees: int) -> None:
    body = copy.deepcopy(BACK_BODY)
    body["data"]["rotate"] = rotate
    assert recognize_with(scripted, body).rotate == degrees


def test_long_term_card_has_no_end_date() -> None:
    back = BackInfo(authority="杭州市公安局", timelimit="20190806-长期")
    assert back.valid_from == dt.date(2019, 8, 6)
    assert back.valid_until is None and back.is_long_term


def test_unreadable_dates_are_none_not_errors() -> None:
    front = FrontInfo("", "", "", "", "1989", "2", "30", "")
    assert front.birth_date is None
    assert BackInfo("", "").valid_from is None and BackInfo("", "").valid_until is None


def test_not_a_card_is_a_result_not_an_error(scripted) -> None:
    body = {
        "code": 200,
        "msg": "成功",
        "taskNo": "00000000000000000001",
        "charge": False,
        "data": {
            "result": 1,
            "side": "front",
            "info": dict.fromkeys(FRONT_BODY["data"]["info"], ""),
            "validity": dict.fromkeys(FRONT_BODY["data"]["validity"], False),
        },
    }
    card = recognize_with(scripted, body)
    assert not card.recognized and card.result == 1 and not card.charged
    assert card.front is not None and card.front.name == "" and card.front.birth_date is None
    assert not any(card.validity.values())


def test_extra_output_is_kept_in_raw(scripted) -> None:
    body = copy.deepcopy(FRONT_BODY)
    body["data"]["confidence"] = {"name": 0.98}
    assert recognize_with(scripted, body).raw["data"]["confidence"] == {"name": 0.98}


def test_repr_masks_name_number_and_address(scripted) -> None:
    text = repr(recognize_with(scripted, FRONT_BODY))
    assert "赵宁宁" not in text and "330106198912014010" not in text and "文二路" not in text
    assert "'赵**'" in text and "3301**********4010" in text


def test_the_readme_says_what_a_printed_result_shows(scripted) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    card = recognize_with(scripted, FRONT_BODY)
    assert card.front is not None
    shown = repr(card)
    for masked in ("name='赵**'", "number='3301**********4010'", "address='******'"):
        assert f"`{masked}`" in readme and masked in shown, masked
    assert "that is not a misread" in readme
    assert "`card.front.name`" in readme and card.front.name == "赵宁宁"


def test_the_demo_snippet_prints_the_values_as_read(scripted, monkeypatch, capsys, tmp_path) -> None:
    import idcard_ocr.client
    from idcard_ocr.cli.serve import demo_instructions

    photo = tmp_path / "card.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    snippet = demo_instructions(APP_ID, APP_SECRET, BASE_URL, photo).split("Or from Python:\n", 1)[1]
    api = scripted(FRONT_BODY)
    real = idcard_ocr.client.Client
    monkeypatch.setattr(idcard_ocr.client, "Client", lambda *args: real(*args, transport=api.transport()))
    exec(snippet, {})  # what a new user pastes, against a scripted server answering the sample card
    masked, values = capsys.readouterr().out.splitlines()
    assert "name='赵**'" in masked
    assert values == "赵宁宁 330106198912014010 浙江省杭州市西湖区文二路108号"


@pytest.mark.parametrize(
    "data",
    [None, "front", {"result": 0, "side": "front", "rotate": "sideways", "info": {}, "validity": {}}],
)
def test_malformed_success_body_is_an_invalid_response(scripted, data) -> None:
    body = {**FRONT_BODY, "data": data}
    with pytest.raises(InvalidResponse):
        recognize_with(scripted, body)

"""Risk flags on photos made to raise them, quiet on clean cards; the numberCheck table."""

from __future__ import annotations

from datetime import date

import pytest

from idcard_ocr.domain.id_number import make_number
from idcard_ocr.pipeline.assess import NumberCheck, assess_risk, number_check, read_header, view_image
from idcard_ocr.pipeline.assess.risk import is_expired
from tests.extras import photos
from tests.extras.photos import CardPhoto

TODAY = date(2026, 11, 28)
CLEAN_SEEDS = (("risk-a", "front"), ("risk-b", "back"), ("risk-c", "front"), ("risk-d", "back"))


def _flags(photo: CardPhoto, timelimit: str = "", header: str = "") -> dict[str, bool]:
    view = view_image(photo.image, photo.quad)
    return assess_risk(view, photo.side, timelimit, header, TODAY).flags


@pytest.fixture(scope="module")
def clean_cards(card_fonts: None) -> list[CardPhoto]:
    return [photos.clean_photo(seed, side) for seed, side in CLEAN_SEEDS]  # type: ignore[arg-type]


def test_clean_cards_raise_no_risk(clean_cards: list[CardPhoto]) -> None:
    for card in clean_cards:
        assert _flags(card, "20190806-20390806") == dict.fromkeys(
            ("photocopy", "screen", "temporary", "expired"), False
        )


def test_a_grey_copy_under_a_warm_lamp_is_a_photocopy(clean_cards: list[CardPhoto]) -> None:
    for card in clean_cards:
        flags = _flags(photos.greyed(card))
        assert flags["photocopy"] and not flags["screen"]


def test_a_display_pixel_grid_reads_as_a_screen(clean_cards: list[CardPhoto]) -> None:
    for card in clean_cards:
        flags = _flags(photos.on_screen(card))
        assert flags["screen"] and not flags["photocopy"]


def test_expired_only_on_a_back_whose_term_ended() -> None:
    assert is_expired("back", "20100315-20200315", TODAY)
    assert not is_expired("back", "20190806-20390806", TODAY)
    assert not is_expired("back", "20140120-长期", TODAY)  # long-term cards never expire
    assert not is_expired("back", "", TODAY)  # not read: nothing to say
    assert not is_expired("front", "20100315-20200315", TODAY)


def test_temporary_when_the_header_says_so(clean_cards: list[CardPhoto]) -> None:
    assert _flags(clean_cards[0], header="临时居民身份证")["temporary"]
    assert not _flags(clean_cards[0], header="姓名 王平")["temporary"]


@pytest.mark.models
def test_the_header_of_a_temporary_card_is_read(recognizer: object, clean_cards: list[CardPhoto]) -> None:
    from idcard_ocr.pipeline import CardRecognizer

    assert isinstance(recognizer, CardRecognizer)
    temporary = photos.temporary_photo("risk-temporary")
    card = view_image(temporary.image, temporary.quad).card
    regular = view_image(clean_cards[0].image, clean_cards[0].quad).card
    assert card is not None and regular is not None
    assert "临时" in read_header(card, "front", recognizer.detector, recognizer.text)
    assert "临时" not in read_header(regular, "front", recognizer.detector, recognizer.text)


# 330106 is 浙江省杭州市西湖区; a male (odd sequence) born 1989-12-01.
NUMBER = make_number("330106", date(1989, 12, 1), 401)
FRONT = {"name": "赵宁宁", "number": NUMBER, "sex": "男", "nation": "汉",
         "year": "1989", "month": "12", "day": "1", "address": "浙江省杭州市西湖区文二路108号"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, NumberCheck.AGREES),
        ({"address": "浙江杭州市西湖区文二路108号"}, NumberCheck.AGREES),  # the short province form
        ({"number": NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")}, NumberCheck.MALFORMED),
        ({"number": NUMBER[:10]}, NumberCheck.MALFORMED),
        ({"day": "2"}, NumberCheck.BIRTH_DISAGREES),
        ({"sex": "女"}, NumberCheck.SEX_DISAGREES),
        ({"address": "江苏省南京市玄武区中山路1号"}, NumberCheck.PROVINCE_DISAGREES),
        ({"sex": "女", "address": "江苏省南京市玄武区中山路1号"}, NumberCheck.SEVERAL_DISAGREE),
        ({"number": ""}, NumberCheck.NO_NUMBER),
        ({"year": "", "month": "", "day": "", "sex": "", "address": ""}, NumberCheck.AGREES),  # unread
    ],
)
def test_number_check_codes(change: dict[str, str], expected: NumberCheck) -> None:
    assert number_check("front", {**FRONT, **change}, TODAY) is expected


def test_number_check_on_a_back_is_minus_one() -> None:
    assert number_check("back", {"authority": "杭州市公安局", "timelimit": "20190806-20390806"}) == -1

"""A stamp or watermark across the print (``复印无效``, ``仅限…使用``) is not read into the values,
and a value read with a stamp's or a label's words in it, or from another field's line, is not
vouched for. The drawn cards come from tuned families, on seeds of their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest

from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.fields import fields_of
from idcard_ocr.pipeline.ink import text_rows, text_sized, value_print, without_bold_strokes
from idcard_ocr.pipeline.read import CardReading, ReadLine
from idcard_ocr.synth.dataset import draw_sample
from tests.fonts import needs_fonts

TODAY = date(2026, 12, 1)


def _line(text: str, box: tuple[int, int, int, int]) -> ReadLine:
    return ReadLine(LineReading(text, 0.99, tuple(((c, 0.99),) for c in text)), box)


def test_a_red_stamp_goes_to_the_paper_and_black_print_under_it_stays() -> None:
    card = np.full((60, 300, 3), (214, 230, 240), np.uint8)  # a warm card's paper (BGR)
    cv2.putText(card, "12", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (25, 25, 25), 4)
    stamp = card.copy()
    cv2.line(stamp, (0, 30), (300, 30), (44, 40, 214), 5)  # the stamp's red ink ...
    card = cv2.addWeighted(card, 0.7, stamp, 0.3, 0)  # ... a third opaque, across the print
    seen = value_print(card)[..., 0].astype(int)
    paper = int(seen[5, 150])
    assert abs(int(seen[30, 200]) - paper) <= 4  # the stamp over paper: gone
    assert int(seen[30, 200]) - int(card[30, 200].min()) > 40  # (it was 50+ levels darker)
    dark = seen[15:50, 10:80].min()
    assert paper - dark > 120  # the black digits keep their strokes


def test_a_grey_stamps_bold_strokes_do_not_join_a_value_line_to_the_next_row() -> None:
    th = 34
    mask = np.zeros((90, 400), np.uint8)
    cv2.putText(mask, "1998 7 7", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 1, 2)  # value print
    cv2.putText(mask, "XI", (200, 85), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 1, 9)  # a bold stamp below
    joined = text_rows(text_sized(mask > 0, th, merged_text=True), th)
    rows = text_rows(text_sized(without_bold_strokes(mask > 0, th), th, merged_text=True), th)
    assert max(b - t for t, b in joined) > 1.3 * 24  # the stamp's ink makes the line too tall
    assert len(rows) == 1 and rows[0][1] <= 42 and rows[0][1] - rows[0][0] <= 28  # the line alone
    assert without_bold_strokes(mask > 0, th)[:45].sum() >= 0.9 * mask[:45].sum()  # print kept


def test_a_value_holding_a_stamps_or_a_labels_words_is_not_vouched_for() -> None:
    reading = CardReading("front", {
        "name": [_line("女民族汉", (150, 60, 430, 120))],
        "address": [_line("内蒙古自治区乌兰察布市", (150, 250, 540, 295)),
                    _line("丰镇市白沙乡桃园村148号复印无效", (150, 295, 540, 340))],
    })
    info, validity, _ = fields_of(reading, "front", TODAY)
    # The stamp's words after the value are cut; where the value ended under them is not known.
    assert info["address"] == "内蒙古自治区乌兰察布市丰镇市白沙乡桃园村148号"
    assert not validity["address"] and not validity["name"]
    clean = replace(reading, lines={**reading.lines,
                                    "name": [_line("于若", (150, 60, 260, 120))],
                                    "address": [reading.lines["address"][0],
                                                _line("丰镇市白沙乡桃园村148号", (150, 295, 540, 340))]})
    _, validity, _ = fields_of(clean, "front", TODAY)
    assert validity["address"] and validity["name"]


def test_a_fragment_of_a_stamps_words_in_an_address_is_not_vouched_for() -> None:
    def address(last: str) -> bool:
        reading = CardReading("front", {"address": [_line("西藏自治区山南市加查县", (150, 250, 540, 295)),
                                                    _line(last, (150, 295, 540, 340))]})
        return fields_of(reading, "front", TODAY)[1]["address"]

    assert not address("胜利大道510号限手机卡")  # 仅限办理手机卡实名使用, its start lost
    assert not address("胜利大道510号印件仅限")  # 此复印件仅限…
    assert address("胜利大道510号")
    assert address("复兴街丽景小区22栋201室")  # a stamp's character alone is no fragment


def test_a_stamps_words_read_on_after_a_value_are_cut_from_it_and_nothing_else_is() -> None:
    def front(last: str) -> str:
        reading = CardReading("front", {"address": [_line("西藏自治区山南市加查县", (150, 250, 540, 295)),
                                                    _line(last, (150, 295, 540, 340))]})
        return fields_of(reading, "front", TODAY)[0]["address"]

    # 此复印件仅限手机卡实名使用, read on after the value:
    assert front("胜利大道510号限手机卡") == "西藏自治区山南市加查县胜利大道510号"
    assert front("胜利大道510号复印无效") == "西藏自治区山南市加查县胜利大道510号"
    assert front("下湾村297号房") == "西藏自治区山南市加查县下湾村297号房"  # one character: maybe the value's
    assert front("工商银行") == "西藏自治区山南市加查县工商银行"  # a bank's name is no stamp
    back = CardReading("back", {"authority": [_line("仁布县公安局复印无效", (330, 400, 640, 440))]})
    info, validity, _ = fields_of(back, "back", TODAY)
    assert info["authority"] == "仁布县公安局" and not validity["authority"]


def test_a_stamps_row_read_above_the_addresss_first_line_is_not_the_addresss() -> None:
    def address(*rows: tuple[str, int]) -> tuple[str, bool]:
        lines = [_line(text, (160, top, 540, top + 42)) for text, top in rows]
        info, validity, _ = fields_of(CardReading("front", {"address": lines}), "front", TODAY)
        return info["address"], validity["address"]

    # 贷款审 of 仅供贷款审核使用, misread, in the address's band above its first line.
    assert address(("代软审", 262), ("河南省南阳市淅川县和平", 300), ("南路282号", 348)) == \
        ("河南省南阳市淅川县和平南路282号", False)  # the band's three lines taken: a fourth may be lost
    assert address(("代软审", 262), ("河南省南阳市淅川县和平南路", 300)) == \
        ("河南省南阳市淅川县和平南路", True)
    # A first line that begins the address is kept, misread or not: nothing before a real place.
    assert address(("河南省南阳市淅川县和平", 300), ("南路282号", 348)) == \
        ("河南省南阳市淅川县和平南路282号", True)
    assert address(("阿南省南阳币", 300), ("南路282号", 348)) == ("阿南省南阳币南路282号", False)


def test_a_last_address_line_read_far_less_surely_than_the_rest_is_not_the_addresss() -> None:
    def address(last: tuple[str, float], first: float = 1.0) -> tuple[str, bool]:
        def read(text: str, confidence: float, box: tuple[int, int, int, int]) -> ReadLine:
            return ReadLine(LineReading(text, confidence, tuple(((c, confidence),) for c in text)), box)

        lines = [read("甘肃省酒泉市金塔县三河", first, (150, 280, 540, 330)),
                 _line("街道河东村12组63号", (150, 330, 540, 380)), read(*last, (150, 380, 420, 430))]
        info, validity, _ = fields_of(CardReading("front", {"address": lines}), "front", TODAY)
        return info["address"], validity["address"]

    # A watermark's row below the address, read as gibberish: left off, and the address, whose
    # end under it is not known, is not vouched for.
    assert address(("世发有保", 0.21)) == ("甘肃省酒泉市金塔县三河街道河东村12组63号", False)
    # Read about as surely as the lines before it: the address's own last line.
    assert address(("1301室", 0.97)) == ("甘肃省酒泉市金塔县三河街道河东村12组63号1301室", True)
    # Every line read unsurely (a blurred photo): nothing tells the last line apart; kept.
    assert address(("世发有保", 0.21), first=0.6)[0] == "甘肃省酒泉市金塔县三河街道河东村12组63号世发有保"


def test_a_name_read_from_the_nations_line_is_not_vouched_for() -> None:
    nation = _line("柯尔克孜", (390, 136, 527, 181))
    reading = CardReading("front", {"name": [_line("柯尔克孜", (390, 136, 527, 181))], "nation": [nation]})
    info, validity, _ = fields_of(reading, "front", TODAY)
    assert info["name"] == "柯尔克孜" and not validity["name"]
    reading.lines["name"] = [_line("马贵", (156, 53, 234, 106))]
    _, validity, _ = fields_of(reading, "front", TODAY)
    assert validity["name"]


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


@pytest.mark.models
@needs_fonts
@pytest.mark.parametrize(("family", "seed"), [
    ("warm", "st33"),  # 复印无效 tiled in red across the card, right after the address's end
    ("warm", "st12"),  # 此复印件仅限本次业务使用, one red line across the address
    ("greyscan", "st14"),  # 再复印无效 in grey, after the last line
    ("greyscan", "st37"),  # 复印无效 in grey, where the address wraps
])
def test_a_stamped_card_reads_its_address_and_vouches_for_it(
    recognizer: CardRecognizer, family: str, seed: str
) -> None:
    sample = draw_sample(family, "margin", "front", seed=seed)
    assert sample.card.marks  # the drawing has its stamp
    result = recognizer.recognize(sample.jpeg, today=TODAY)
    assert result.info["address"] == sample.truth["info"]["address"]
    assert result.info["name"] == sample.truth["info"]["name"]
    assert result.validity["address"] and result.validity["name"]


@pytest.mark.models
@needs_fonts
@pytest.mark.parametrize(("family", "seed"), [
    ("vivid", "101:18"),  # 此复印件仅限手机卡实名使用 tiled in red, a row of it under the address
    ("ledger", "77:36"),  # a stamp's words under the address's last line
])
def test_a_watermarks_row_under_the_address_is_not_read_into_it(
    recognizer: CardRecognizer, family: str, seed: str
) -> None:
    sample = draw_sample(family, "cut", "front", seed=seed)
    assert sample.card.marks
    result = recognizer.recognize(sample.jpeg, today=TODAY)
    assert result.info["address"] == sample.truth["info"]["address"]
    assert result.info["name"] == sample.truth["info"]["name"]


@pytest.mark.models
@needs_fonts
def test_a_lone_last_address_character_joined_to_a_stamps_row_under_it_is_read(
    recognizer: CardRecognizer,
) -> None:
    # 室 alone on the third line, 仅限办理银行开户使用 printed just under it (a glare-washed
    # photo of a ledger card, so the stamp's red is pale): one row too tall to read as a line.
    sample = draw_sample("ledger", "glare", "front", seed="31:8")
    assert sample.card.marks and sample.truth["info"]["address"].endswith("1774室")
    result = recognizer.recognize(sample.jpeg, today=TODAY)
    assert result.info["address"] == sample.truth["info"]["address"]

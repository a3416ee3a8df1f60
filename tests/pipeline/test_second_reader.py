"""The second reader: the card read without its layout, values found by their labels, and taken
field by field only where the layout's reading fails. Cards drawn in code, real models."""

from __future__ import annotations

import functools
import random
from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest

from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.engine import LineReading, TextDetector
from idcard_ocr.pipeline.fields import fields_of
from idcard_ocr.pipeline.free_read import (
    LabelReader,
    field_in_band,
    fields_by_label,
    group_rows,
    read_beyond_outline,
    read_by_labels,
)
from idcard_ocr.pipeline.parse import normalize_timelimit
from idcard_ocr.pipeline.policy import POLICY, Looking, read_again, with_lines
from idcard_ocr.pipeline.read import CardReading, ReadLine, read_card
from idcard_ocr.pipeline.types import Side
from idcard_ocr.synth.card import downscale, draw_card
from idcard_ocr.synth.identities import Identity, make_identities

SEED = 8080
TODAY = date(2026, 12, 1)


def _row(text: str, y: int) -> ReadLine:
    cands = tuple(((c, 0.99),) for c in text)
    return ReadLine(LineReading(text, 0.99, cands), (40, y, 500, y + 40))


def test_rows_are_assigned_to_fields_by_their_labels() -> None:
    rows = [_row("姓名周勇芳", 70), _row("性别女民族汉", 140), _row("出生1973年10月14日", 215),
            _row("住址四川省眉山市仁寿县人民", 285), _row("街碧水苑1栋2442室", 330),
            _row("公民身份号码511421197310146328", 465)]
    found = {k: [line.reading.text for line in v] for k, v in fields_by_label(rows, "front").items()}
    assert found == {"name": ["周勇芳"], "sex": ["女"], "nation": ["汉"], "birth": ["1973年10月14日"],
                     "address": ["四川省眉山市仁寿县人民", "街碧水苑1栋2442室"],
                     "number": ["511421197310146328"]}
    back = [_row("中华人民共和国", 60), _row("居民身份证", 140), _row("签发机关镇沅县公安局", 390),
            _row("有效期限2014.01.20-长期", 460)]
    found = {k: [line.reading.text for line in v] for k, v in fields_by_label(back, "back").items()}
    assert found == {"authority": ["镇沅县公安局"], "timelimit": ["2014.01.20-长期"]}
    # A card cut at its edge loses the labels: the rows are placed by the order fronts print them.
    cut = [_row("高晨", 14), _row("女民族高山", 96), _row("生1969年12月4日", 176),
           _row("安徽省蚌埠市五河县柳林", 254), _row("街道下湾村214号", 306),
           _row("身份号码340322196912049449", 459)]
    found = {k: [line.reading.text for line in v] for k, v in fields_by_label(cut, "front").items()}
    assert found == {"name": ["高晨"], "sex": ["女"], "nation": ["高山"], "birth": ["生1969年12月4日"],
                     "address": ["安徽省蚌埠市五河县柳林", "街道下湾村214号"],
                     "number": ["340322196912049449"]}
    # What is cut off keeps its own characters' probabilities.
    name = fields_by_label(rows, "front")["name"][0].reading
    assert len(name.candidates) == len(name.text) == 3


def test_a_field_is_found_in_the_band_between_its_neighbours() -> None:
    def texts(key: str, rows: list[ReadLine]) -> list[str]:
        return [line.reading.text for line in field_in_band(key, rows)]

    # Above the sex's row: the name is the last row, or the one with its label (a stamp's row
    # between the card's top and the name, or between the name and the sex's row).
    assert texts("name", [_row("复印无效", 20), _row("周勇芳", 70)]) == ["周勇芳"]
    assert texts("name", [_row("姓名周勇芳", 70), _row("复印无效", 100)]) == ["周勇芳"]
    # Below the sex's row: the birth date is the first row, or its label's (the address under it).
    birth = [_row("1973年10月14日", 215), _row("四川省眉山市仁寿县人民", 285)]
    assert texts("birth", birth) == ["1973年10月14日"]
    assert texts("birth", [_row("复印无效", 190), _row("出生1973年10月14日", 215)]) == ["1973年10月14日"]
    # Below the birth date: the address from its label's row on, flush rows after it.
    rows = [_row("代软审", 250), _row("住址四川省眉山市仁寿县人民", 285), _row("街碧水苑1栋2442室", 330)]
    assert texts("address", rows) == ["四川省眉山市仁寿县人民", "街碧水苑1栋2442室"]
    assert texts("address", rows[1:2]) == ["四川省眉山市仁寿县人民"]
    assert texts("address", []) == []
    # Below the sex's row when the birth date's row was not placed: the address after it.
    unlabelled = [_row("1973年10月14日", 215), _row("四川省眉山市仁寿县人民", 285),
                  _row("街碧水苑1栋2442室", 330)]
    assert texts("address", unlabelled) == ["四川省眉山市仁寿县人民", "街碧水苑1栋2442室"]
    assert texts("address", unlabelled[:1]) == []
    # Between the name and the birth date: the sex's row, its label or not.
    assert texts("sex", [_row("性别女民族汉", 140)]) == ["女"]
    assert texts("nation", [_row("性别女民族汉", 140)]) == ["汉"]
    assert texts("sex", [_row("女", 140)]) == ["女"]
    assert texts("nation", [_row("女", 140)]) == []


def _piece(text: str, box: tuple[int, int, int, int]) -> ReadLine:
    """A detected piece read as ``text``, its characters evenly spread across its box."""
    centres = tuple((i + 0.5) / len(text) for i in range(len(text)))
    return ReadLine(LineReading(text, 0.99, tuple(((c, 0.99),) for c in text), centres), box)


def test_pieces_of_a_row_are_joined_and_other_print_is_kept_out() -> None:
    pieces = [_piece("姓名", (40, 70, 100, 115)), _piece("周勇芳", (160, 72, 270, 114)),
              _piece("身份证复印无效", (640, 74, 820, 112)),  # far right on the same line: a stamp
              _piece("仅供办理手机卡使用", (0, 30, 800, 320)),  # slanted across several rows
              _piece("住址四川省眉山市仁寿县人民", (45, 285, 531, 324)),
              _piece("街碧水苑1栋2442室", (160, 332, 447, 368)),
              _piece("复印无效", (420, 380, 560, 420)),  # under the address, not flush with it
              _piece("公民身份号码511421197310146328", (48, 467, 771, 503))]
    rows = group_rows(pieces)
    assert [row.reading.text for row in rows] == [
        "姓名周勇芳", "身份证复印无效", "住址四川省眉山市仁寿县人民", "街碧水苑1栋2442室", "复印无效",
        "公民身份号码511421197310146328"]
    found = fields_by_label(rows, "front")
    assert [line.reading.text for line in found["address"]] == ["四川省眉山市仁寿县人民", "街碧水苑1栋2442室"]
    assert found["name"][0].reading.text == "周勇芳"


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


@pytest.fixture(scope="module")
def cards() -> list[tuple[Identity, Side, np.ndarray]]:
    rng = random.Random(SEED)
    return [(identity, side, downscale(draw_card(identity, side, rng)).bgr)
            for identity in make_identities(2, seed=SEED) for side in ("front", "back")]


@pytest.mark.models
def test_the_second_reader_alone_reads_every_field(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    for identity, side, card in cards:
        lines = read_by_labels(card, side, recognizer.detector, recognizer.text)
        info, validity, _ = fields_of(CardReading(side, lines), side, TODAY)
        expected = identity.front_info() if side == "front" else identity.back_info()
        assert info == expected, side
        assert all(validity.values()), (side, validity)


@pytest.mark.models
def test_fields_the_layout_missed_are_taken_from_the_second_reader(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    identity, _, card = cards[0]
    first = read_card(card, "front", recognizer.text)
    # As if the name's and the nation's bands had held no ink: the print lay outside them.
    missed = with_lines(with_lines(first, "name", []), "nation", [])
    read_from = card if first.card is None else first.card
    without = read_again(missed, Looking(read_from, recognizer.text, TODAY))
    assert without.info["name"] == "" and without.info["nation"] == ""
    by_labels = functools.cache(
        lambda: read_by_labels(read_from, "front", recognizer.detector, recognizer.text)
    )
    judged = read_again(missed, Looking(read_from, recognizer.text, TODAY, by_labels))
    assert judged.info == identity.front_info()
    assert all(judged.validity.values())
    assert missed.lines["name"] == []  # the reading it started from is unchanged
    name_box = judged.sources["name"].box
    assert name_box is not None and name_box[0][0] >= 140  # the value's, not the label's (姓名 at 45-100)


@pytest.mark.models
def test_a_card_the_layout_reads_whole_never_runs_the_second_reader(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    def not_needed() -> dict[str, list[ReadLine]]:
        raise AssertionError("the second reader ran on a card read whole")

    for identity, side, card in cards:
        first = read_card(card, side, recognizer.text)
        read_from = card if first.card is None else first.card
        judged = read_again(first, Looking(read_from, recognizer.text, TODAY, not_needed))
        assert judged.info == (identity.front_info() if side == "front" else identity.back_info())


@pytest.mark.models
def test_a_birth_date_the_number_gives_is_not_read_again_past_the_outline(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    def not_needed() -> dict[str, list[ReadLine]]:
        raise AssertionError("the card was read past its outline for a value the number gives")

    identity, _, card = cards[0]
    first = read_card(card, "front", recognizer.text)
    # As if the birth line's print were unreadable (a grey copy fades 年 and 月 with the labels):
    # the valid number gives the date, and the second reader is still asked for its print.
    unread = with_lines(first, "birth", [])
    read_from = card if first.card is None else first.card
    asked: list[str] = []

    def by_labels() -> dict[str, list[ReadLine]]:
        asked.append("by labels")
        return {}

    judged = read_again(unread, Looking(read_from, recognizer.text, TODAY, by_labels, not_needed))
    assert asked == ["by labels"]
    assert judged.info == identity.front_info()
    assert judged.validity["birthday"] and judged.sources["year"].derived


class _CountingDetector(TextDetector):
    """The real detector, noting the height of each image it is given."""

    def __init__(self, detector: TextDetector) -> None:
        self.__dict__.update(detector.__dict__)
        self.heights: list[int] = []

    def detect(self, img: np.ndarray, max_side: int = 640) -> list[np.ndarray]:
        self.heights.append(img.shape[0])
        return super().detect(img, max_side)


@pytest.mark.models
def test_fields_between_rows_the_layout_placed_are_read_from_those_bands_alone(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    def not_needed() -> dict[str, list[ReadLine]]:
        raise AssertionError("the whole card was read again for fields between placed rows")

    identity, _, card = cards[0]
    first = read_card(card, "front", recognizer.text)
    # As if the name's, the birth date's and the address's print had held no ink where the
    # layout looked; the sex's row and the number were read where they are printed.
    missed = with_lines(with_lines(with_lines(first, "name", []), "birth", []), "address", [])
    read_from = card if first.card is None else first.card
    detector = _CountingDetector(recognizer.detector)
    labels = LabelReader(read_from, "front", detector, recognizer.text)
    looking = Looking(read_from, recognizer.text, TODAY, not_needed, between=labels.between)
    judged = read_again(missed, looking)
    assert judged.info == identity.front_info()
    assert judged.validity["birthday"] and not judged.sources["year"].derived  # read from its print
    # The name above the sex's row, then the birth date and the address together, between that
    # row and the number: less of the card than one whole detection.
    assert len(detector.heights) == 2 and sum(detector.heights) < read_from.shape[0]
    # What the bands give is what the whole card read by its labels gives.
    whole = read_by_labels(read_from, "front", recognizer.detector, recognizer.text)
    for key in ("name", "birth", "address"):
        assert [line.reading.text for line in judged.reading.lines[key]] == \
            [line.reading.text for line in whole[key]], key


def _back_reading(authority: ReadLine) -> CardReading:
    term = ReadLine(LineReading("2019.08.06-2039.08.06", 0.99,
                                tuple(((c, 0.99),) for c in "2019.08.06-2039.08.06")), (340, 470, 700, 500))
    return CardReading("back", {"authority": [authority], "timelimit": [term]})


def test_a_value_whose_ink_ran_into_its_band_after_the_label_is_not_cut() -> None:
    cut = ReadLine(LineReading("关宣威市公安局", 0.99, tuple(((c, 0.99),) for c in "关宣威市公安局")),
                   (281, 398, 600, 440), cut_left=True)
    info, validity, sources = fields_of(_back_reading(cut), "back", TODAY)
    assert info["authority"] == "宣威市公安局" and not sources["authority"].cut and validity["authority"]
    lost = replace(cut, reading=LineReading("威市公安局", 0.99, tuple(((c, 0.99),) for c in "威市公安局")))
    _, validity, sources = fields_of(_back_reading(lost), "back", TODAY)
    assert sources["authority"].cut and not validity["authority"]


def test_words_read_before_a_cut_value_are_no_restored_start() -> None:
    # The layout's reading lost its start to the band's edge (沙县 is a real place too); the
    # second reader's row also holds the other label and a stamp's words: longer, but no real
    # place any more. One that restores the start to a real place is taken.
    cut = ReadLine(LineReading("沙县公安局", 0.99, tuple(((c, 0.99),) for c in "沙县公安局")),
                   (300, 398, 600, 440), cut_left=True)
    merged = "有效期限再复印无效长沙县公安局"
    by_labels = {"authority": [ReadLine(LineReading(merged, 0.99, tuple(((c, 0.99),) for c in merged)),
                                        (0, 351, 768, 517))]}
    only = tuple(look for look in POLICY if look.name == "authority by its label")
    blank = np.zeros((540, 856, 3), np.uint8)
    judged = read_again(_back_reading(cut), Looking(blank, None, TODAY, lambda: by_labels), only)  # type: ignore[arg-type]
    assert judged.info["authority"] == "沙县公安局" and not judged.validity["authority"]
    whole = LineReading("长沙县公安局", 0.9, tuple(((c, 0.9),) for c in "长沙县公安局"))
    restored = {"authority": [ReadLine(whole, (250, 398, 600, 440))]}
    judged = read_again(_back_reading(cut), Looking(blank, None, TODAY, lambda: restored), only)  # type: ignore[arg-type]
    assert judged.info["authority"] == "长沙县公安局"


@pytest.mark.models
def test_rows_an_outline_found_inside_the_card_left_off_are_read_beyond_it(
    recognizer: CardRecognizer, cards: list[tuple[Identity, Side, np.ndarray]]
) -> None:
    identity, _, card = cards[1]  # a back
    photo = cv2.copyMakeBorder(card, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=(90, 90, 90))
    # An outline whose bottom edge runs across the card just above the term's row.
    height = 455
    quad = np.array([[40, 40], [40 + 856, 40], [40 + 856, 40 + height], [40, 40 + height]], np.float64)
    found = read_beyond_outline(photo, quad, "back", recognizer.detector, recognizer.text)
    term = found["timelimit"][0]
    assert normalize_timelimit(term.reading.text) == identity.back_info()["timelimit"]
    # Its box on the card the outline gives: below that card's bottom edge.
    assert term.box[3] > 540

"""The reading policy: second looks recover failing fields, never change the reading they start
from, and judge dates as of the day they are given. Cards drawn in code, read by the real models."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from idcard_ocr.domain.dates import split_birth
from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.layout import ADDRESS, BIRTH, NATION
from idcard_ocr.pipeline.policy import POLICY, Looking, SecondLook, read_again
from idcard_ocr.pipeline.read import CardReading, ReadLine, read_card
from idcard_ocr.synth.card import downscale, draw_card
from idcard_ocr.synth.fonts import fonts_covering, load_font
from idcard_ocr.synth.identities import Identity, make_identities

pytestmark = pytest.mark.models

SEED = 20261201
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


@pytest.fixture(scope="module")
def front() -> tuple[Identity, np.ndarray]:
    identity = make_identities(1, seed=SEED)[0]
    return identity, downscale(draw_card(identity, "front", random.Random(SEED))).bgr


def _read_with_line(recognizer: CardRecognizer, card: np.ndarray, key: str) -> tuple[CardReading, ReadLine]:
    """The front's first reading and its ``key`` line (which must have been read)."""
    first = read_card(card, "front", recognizer.text)
    line = first.first(key)
    assert line is not None
    return first, line


def test_every_look_is_declared_once_for_one_side() -> None:
    names = [look.name for look in POLICY]
    assert len(names) == len(set(names))
    assert {look.side for look in POLICY} == {"front", "back"}


def test_a_number_read_short_is_recovered_and_the_first_reading_is_left_as_it_was(
    recognizer: CardRecognizer, front: tuple[Identity, np.ndarray]
) -> None:
    identity, card = front
    first, line = _read_with_line(recognizer, card, "number")
    assert line.reading.text == identity.number
    # As if the crop had ended early: the number's last four digits missing from the reading.
    x0, y0, x1, y1 = line.box
    short = recognizer.text.read(card[y0:y1, x0 : x0 + (x1 - x0) * 3 // 4])
    assert len(short.text) < 18
    damaged = replace(first, lines={**first.lines, "number": [replace(line, reading=short)]})
    looking = Looking(card if first.card is None else first.card, recognizer.text, TODAY)
    assert not read_again(damaged, looking, policy=()).validity["number"]  # no second look: stays short
    judged = read_again(damaged, looking)
    assert judged.info["number"] == identity.number
    assert judged.validity["number"] and judged.validity["birthday"]
    assert damaged.lines["number"][0].reading.text == short.text  # untouched: a new reading came back


def test_dates_are_judged_as_of_the_day_given(
    recognizer: CardRecognizer, front: tuple[Identity, np.ndarray]
) -> None:
    identity, card = front
    photo = cv2.imencode(".jpg", card, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    now = recognizer.recognize(photo, today=TODAY)
    assert now.info["number"] == identity.number
    assert (now.info["year"], now.info["month"], now.info["day"]) == split_birth(identity.birth)
    assert now.validity["number"] and now.validity["birthday"]
    # The day before the holder was born, no birth date on the card can be right yet.
    before_birth = recognizer.recognize(photo, today=date(identity.birth.year - 1, 1, 1))
    assert not before_birth.validity["birthday"] and not before_birth.validity["number"]


def test_validity_a_kept_look_withdrew_stays_withdrawn_through_later_looks(
    recognizer: CardRecognizer, front: tuple[Identity, np.ndarray]
) -> None:
    _, card = front
    first = read_card(card, "front", recognizer.text)
    looking = Looking(card if first.card is None else first.card, recognizer.text, TODAY)
    name_lines, sex_lines = first.lines["name"], first.lines["sex"]
    # A look that keeps the name as read but doubts it, then one that keeps the sex as read:
    # judging the card again for the second must not vouch for the name again.
    doubting = SecondLook("doubt the name", "front", "name", lambda _l, _j: True,
                          lambda _l, _j: iter([name_lines]), lambda _l, _b, _a: True,
                          lambda _b, _a: True, "name")
    later = SecondLook("the sex again", "front", "sex", lambda _l, _j: True,
                       lambda _l, _j: iter([sex_lines]), lambda _l, _b, _a: True)
    assert read_again(first, looking, policy=()).validity["name"]
    judged = read_again(first, looking, policy=(doubting, later))
    assert not judged.validity["name"] and judged.validity["sex"]


def _surely(text: str) -> LineReading:
    """``text`` as if read with certainty."""
    return LineReading(text, 1.0, tuple(((c, 1.0),) for c in text),
                       tuple((i + 0.5) / len(text) for i in range(len(text))))


def test_an_address_the_second_reader_ends_on_a_full_line_is_kept_but_not_vouched(
    recognizer: CardRecognizer, front: tuple[Identity, np.ndarray]
) -> None:
    _, card = front
    first = read_card(card, "front", recognizer.text)
    # The layout read only the address's later lines (its band placed a line too low).
    line = first.lines["address"][0]
    later = replace(line, reading=_surely("福南路649号"))
    later_lines = replace(first, lines={**first.lines, "address": [later]})
    looking = Looking(card if first.card is None else first.card, recognizer.text, TODAY)

    def second_reader(x1: int) -> Looking:
        start = ReadLine(_surely("黑龙江省伊春市红星区幸"), (160, 300, x1, 340))
        return replace(looking, by_labels=lambda: {"address": [start]})

    # Its one line ends well short of the column's end: the address ends there.
    short = read_again(later_lines, second_reader(420))
    assert short.info["address"] == "黑龙江省伊春市红星区幸" and short.validity["address"]
    # It runs to the column's end: the address goes on, on a line the second reader did not take.
    full = read_again(later_lines, second_reader(ADDRESS.band[2] - 10))
    assert full.info["address"] == "黑龙江省伊春市红星区幸" and not full.validity["address"]


def test_a_birth_line_read_short_is_read_again_to_its_end_before_the_second_reader(
    recognizer: CardRecognizer, front: tuple[Identity, np.ndarray]
) -> None:
    identity, card = front
    first, line = _read_with_line(recognizer, card, "birth")
    # As if a stamp across the line had ended the crop after the year's first digits: the date
    # the valid number gives is answered, and the print is still to be read.
    x0, y0, x1, y1 = line.box
    cut_box = (x0, y0, x0 + (x1 - x0) // 5, y1)
    short = replace(line, reading=recognizer.text.read(card[y0:y1, cut_box[0] : cut_box[2]]), box=cut_box)
    damaged = replace(first, lines={**first.lines, "birth": [short]})

    # A second reader that finds nothing: whatever gives the printed date here is the line's look.
    looking = Looking(card if first.card is None else first.card, recognizer.text, TODAY, dict)
    unlooked = read_again(damaged, looking, policy=())
    assert unlooked.sources["year"].derived  # the number's date, its print unread
    judged = read_again(damaged, looking)
    assert (judged.info["year"], judged.info["month"], judged.info["day"]) == split_birth(identity.birth)
    assert judged.validity["birthday"] and not judged.sources["year"].derived
    assert judged.reading.lines["birth"][0].box[2] == BIRTH.band[2]  # read on to the band's end
    assert damaged.lines["birth"][0].box == cut_box  # the reading it started from is unchanged


def _stamped_under_nation(identity: Identity, seed: int) -> np.ndarray:
    """A classic front with a half-transparent grey stamp (bold, larger than the print) printed
    just under the nation's value, touching it: the nation line's box takes the stamp in."""
    drawn = draw_card(identity, "front", random.Random(seed))
    image = Image.fromarray(cv2.cvtColor(drawn.bgr, cv2.COLOR_BGR2RGB))
    xs = [p[0] for p in drawn.boxes["nation"]]
    ys = [p[1] for p in drawn.boxes["nation"]]
    height = max(ys) - min(ys)
    layer = Image.new("L", image.size, 0)
    font = load_font(fonts_covering("仅供贷款审核使用")[0], round(1.3 * height))
    at = (min(xs) - 1.6 * height, max(ys) - 0.1 * height)
    ImageDraw.Draw(layer).text(at, "仅供贷款审核使用", font=font, fill=255,
                               stroke_width=max(1, round(height / 12)), stroke_fill=255)
    alpha = np.asarray(layer, np.float32)[..., None] / 255.0 * 0.45
    stamped = np.asarray(image, np.float32) * (1 - alpha) + np.float32(110) * alpha
    bgr = cv2.cvtColor(stamped.clip(0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    return downscale(replace(drawn, bgr=bgr)).bgr


def test_a_nation_with_a_stamp_under_it_is_read_from_a_window_one_line_tall(
    recognizer: CardRecognizer,
) -> None:
    identity = make_identities(1, seed=SEED + 4)[0]
    card = _stamped_under_nation(identity, SEED + 4)
    first = read_card(card, "front", recognizer.text)
    line = first.first("nation")
    assert line is not None and line.box[3] - line.box[1] > 1.4 * NATION.text_height  # the stamp taken in
    looking = Looking(card if first.card is None else first.card, recognizer.text, TODAY, dict)
    without = tuple(look for look in POLICY if look.name != "nation from windows one line tall")
    assert read_again(first, looking, policy=without).info["nation"] == ""  # read whole: the stamp's words
    assert read_again(first, looking).info["nation"] == identity.nation

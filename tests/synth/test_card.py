"""The drawn card: every field box lies on the card, holds ink, and keeps to the real layout."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from idcard_ocr.synth.card import CARD_MM, CardImage, downscale, draw_back, draw_front
from idcard_ocr.synth.fonts import covers, fonts_covering
from idcard_ocr.synth.identities import make_identity
from idcard_ocr.synth.names import RARE_CHARS
from tests.fonts import needs_fonts

pytestmark = needs_fonts


def _ink_in(card: CardImage, key: str) -> float:
    """Darkest grey level inside the box of ``key`` (text is near-black or label blue)."""
    (x0, y0), _, (x1, y1), _ = card.boxes[key]
    grey = cv2.cvtColor(card.bgr, cv2.COLOR_BGR2GRAY)
    patch = grey[int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))]
    assert patch.size > 0, key
    return float(patch.min())


def _assert_boxes_on_card(card: CardImage) -> None:
    height, width = card.bgr.shape[:2]
    for key, box in card.boxes.items():
        for x, y in box:
            assert 0 <= x <= width and 0 <= y <= height, (key, box)
        assert _ink_in(card, key) < 90, key


@pytest.fixture(scope="module")
def front() -> CardImage:
    person = make_identity(random.Random(1), name_kind="dot", address_lines=3)
    return draw_front(person, random.Random(2))


def test_front_boxes_lie_on_the_card_and_hold_ink(front: CardImage) -> None:
    card = front
    expected = {
        "name",
        "sex",
        "nation",
        "year",
        "month",
        "day",
        "number",
        "address_1",
        "address_2",
        "address_3",
    }
    assert set(card.boxes) == expected
    _assert_boxes_on_card(card)
    assert card.bgr.shape[:2] == (1080, 1712)  # 85.6 x 54 mm at 20 px/mm


def test_front_follows_the_real_layout(front: CardImage) -> None:
    card = front
    mm = card.px_per_mm
    portrait_left = 55 * mm
    for key in ("name", "sex", "nation", "year", "month", "day", "address_1", "address_2", "address_3"):
        assert card.boxes[key][1][0] < portrait_left, key  # text stays left of the portrait
    assert 15 * mm <= card.boxes["name"][0][0] <= 17 * mm
    tops = [
        card.boxes[k][0][1] for k in ("name", "sex", "year", "address_1", "address_2", "address_3", "number")
    ]
    assert tops == sorted(tops)  # rows in printed order, top to bottom
    assert card.boxes["number"][0][1] > 40 * mm and card.boxes["number"][1][0] <= CARD_MM[0] * mm


def test_corners_are_rounded(front: CardImage) -> None:
    card = front
    assert card.mask[0, 0] == 0 and card.mask[540, 856] == 255


def test_back_boxes_lie_on_the_card_and_hold_ink() -> None:
    person = make_identity(random.Random(4), long_term=True)
    card = draw_back(person, random.Random(5))
    assert set(card.boxes) == {"authority", "timelimit"}
    _assert_boxes_on_card(card)
    assert card.boxes["authority"][0][1] < card.boxes["timelimit"][0][1]


def test_rare_characters_are_drawn_not_tofu() -> None:
    for char in RARE_CHARS:
        assert fonts_covering(char), f"no installed font draws {char}"
    rng = random.Random(8)
    for seed in range(3):
        person = make_identity(rng, name_kind="rare")
        card = draw_front(person, random.Random(seed))
        assert covers(card.fonts["value"], person.name), (person.name, card.fonts)


def test_downscale_gives_the_canonical_card(front: CardImage) -> None:
    card = front
    small = downscale(card)
    assert small.bgr.shape == (540, 856, 3)
    assert small.boxes["name"][0][0] == pytest.approx(card.boxes["name"][0][0] / 2)

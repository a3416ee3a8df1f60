"""A valid number fixes sex and birth date: it fills them when their print is unreadable, and a
clear print that says otherwise leaves neither vouched for. Cards drawn in code, real models."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest

from idcard_ocr.api.extras import detail_of
from idcard_ocr.domain.dates import split_birth
from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.synth.card import CardImage, downscale, draw_card
from idcard_ocr.synth.identities import Identity, make_identities

pytestmark = pytest.mark.models

SEED = 31337
TODAY = date(2026, 12, 1)
BIRTH_KEYS = ("year", "month", "day")


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


def _front(identity: Identity) -> CardImage:
    return downscale(draw_card(identity, "front", random.Random(SEED)))


def _jpeg(bgr: np.ndarray) -> bytes:
    return bytes(cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])[1])


def _painted_out(card: CardImage, keys: tuple[str, ...]) -> np.ndarray:
    """The card with the print of ``keys`` covered by the card's own ground (as if worn away)."""
    bgr = card.bgr.copy()
    for key in keys:
        xs = [p[0] for p in card.boxes[key]]
        ys = [p[1] for p in card.boxes[key]]
        x0, y0, x1, y1 = round(min(xs)) - 3, round(min(ys)) - 3, round(max(xs)) + 3, round(max(ys)) + 3
        ground = np.median(bgr[y0 - 12 : y0 - 4, x0:x1].reshape(-1, 3), axis=0)
        bgr[y0:y1, x0:x1] = ground.astype(np.uint8)
    return bgr


def test_unreadable_sex_and_birth_are_the_numbers_and_marked_so(recognizer: CardRecognizer) -> None:
    identity = make_identities(1, seed=SEED)[0]
    card = _front(identity)
    result = recognizer.recognize(_jpeg(_painted_out(card, ("sex", *BIRTH_KEYS))), today=TODAY)
    assert result.info["number"] == identity.number and result.validity["number"]
    assert result.info["sex"] == identity.sex
    assert tuple(result.info[k] for k in BIRTH_KEYS) == split_birth(identity.birth)
    assert result.validity["sex"] and result.validity["birthday"]
    fields = detail_of(result)["fields"]
    for key in ("sex", *BIRTH_KEYS):
        assert fields[key]["source"] == "number" and fields[key]["box"] is None, key
    assert fields["name"]["source"] == "print" and fields["number"]["source"] == "print"


def test_a_readable_card_keeps_its_printed_sex_and_birth(recognizer: CardRecognizer) -> None:
    identity = make_identities(1, seed=SEED)[0]
    result = recognizer.recognize(_jpeg(_front(identity).bgr), today=TODAY)
    assert result.info["sex"] == identity.sex and result.validity["sex"]
    assert all(result.fields[k].source == "print" for k in ("sex", *BIRTH_KEYS))


def test_a_printed_birth_date_the_number_contradicts_leaves_neither_vouched_for(
    recognizer: CardRecognizer,
) -> None:
    identity = make_identities(1, seed=SEED)[0]
    other = date(identity.birth.year - 11, identity.birth.month % 12 + 1, 20)
    result = recognizer.recognize(_jpeg(_front(replace(identity, birth=other)).bgr), today=TODAY)
    assert result.info["number"] == identity.number  # read right, and it passes its check
    assert (result.info["year"], result.info["month"], result.info["day"]) == split_birth(other)
    assert not result.validity["number"] and not result.validity["birthday"]
    assert result.validity["sex"] and result.validity["name"]


def test_a_printed_sex_the_number_contradicts_leaves_neither_vouched_for(recognizer: CardRecognizer) -> None:
    identity = make_identities(1, seed=SEED)[0]
    flipped = "女" if identity.sex == "男" else "男"
    result = recognizer.recognize(_jpeg(_front(replace(identity, sex=flipped)).bgr), today=TODAY)
    assert result.info["number"] == identity.number
    assert result.info["sex"] == flipped
    assert not result.validity["number"] and not result.validity["sex"]
    assert result.validity["birthday"]

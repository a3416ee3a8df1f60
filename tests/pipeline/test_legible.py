"""Print too soft to read: a name or an address read from it is returned but not vouched for.

The photos are drawn from tuned card families; the threshold was chosen on such photos."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.legible import MIN_PRINT_SHARPNESS, print_sharpness, too_soft
from idcard_ocr.synth.card import downscale, draw_card
from idcard_ocr.synth.dataset import draw_sample
from idcard_ocr.synth.identities import make_identities
from tests.fonts import needs_fonts

# Where the front's name, birth and number lines lie on the canonical 856 x 540 card.
LINES = ((150, 60, 420, 120), (150, 200, 480, 250), (250, 450, 790, 510))


@needs_fonts
def test_sharp_print_is_sharp_and_print_enlarged_from_a_few_pixels_is_not() -> None:
    card = downscale(draw_card(make_identities(1, seed=5)[0], "front", random.Random(5))).bgr
    card = cv2.resize(card, (856, 540), interpolation=cv2.INTER_AREA)
    sharp = print_sharpness(card, LINES)
    assert sharp is not None and sharp > 2 * MIN_PRINT_SHARPNESS
    # The card 100 px wide in the photo (characters ~3 px high), enlarged to the canonical size.
    small = cv2.resize(card, (100, 63), interpolation=cv2.INTER_AREA)
    enlarged = cv2.resize(small, (856, 540), interpolation=cv2.INTER_LINEAR)
    soft = print_sharpness(enlarged, LINES)
    assert soft is not None and too_soft(soft)
    # The measure does not depend on the ink's contrast: a pale copy of the sharp card is as sharp.
    pale = (255 - (255 - card.astype(np.float32)) * 0.4).astype(np.uint8)
    assert abs(print_sharpness(pale, LINES) - sharp) < 0.2 * sharp  # type: ignore[operator]
    assert print_sharpness(card, [(0, 0, 5, 5)]) is None  # nothing to judge
    assert not too_soft(None)


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


@pytest.mark.models
@needs_fonts
def test_a_name_read_from_soft_print_is_not_vouched_for_and_checked_values_are(
    recognizer: CardRecognizer,
) -> None:
    # A small card whose photo lost most of its resolution: its name was read right and surely,
    # but the recogniser is as sure of wrong characters on print this soft.
    sample = draw_sample("vivid", "lowres", "front", seed="31:24")
    assert not sample.truth["legibility"]["legible"]
    result = recognizer.recognize(sample.jpeg)
    assert result.print_sharpness is not None and too_soft(result.print_sharpness)
    assert not result.validity["name"] and not result.validity["address"]
    assert result.validity["number"] and result.info["number"] == sample.truth["info"]["number"]
    # The same card photographed sharply: its name is vouched for.
    sharp = recognizer.recognize(draw_sample("vivid", "clean", "front", seed="31:24").jpeg)
    assert sharp.print_sharpness is not None and not too_soft(sharp.print_sharpness)
    assert sharp.validity["name"]

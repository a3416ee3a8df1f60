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


def _reference_sharpness(card: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> float | None:
    """The measure as its definition reads: numpy's percentiles, no shortcuts."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float64)
    values = []
    for x0, y0, x1, y1 in boxes:
        crop = grey[max(y0, 0) : y1, max(x0, 0) : x1]
        if crop.size < 100:
            continue
        gx = cv2.Sobel(crop, cv2.CV_64F, 1, 0, ksize=3) / 8.0
        gy = cv2.Sobel(crop, cv2.CV_64F, 0, 1, ksize=3) / 8.0
        low, high = np.percentile(crop, (2, 98))
        values.append(float(np.percentile(np.hypot(gx, gy), 99)) / max(float(high - low), 1.0))
    return float(np.median(values)) if values else None


def test_the_measure_is_the_percentiles_it_is_defined_by() -> None:
    # Computed by partial sorts and a histogram for speed: the same figure as numpy's percentiles
    # over print of every softness, flat crops and boxes reaching past the card's edges.
    rng = np.random.default_rng(7)
    for trial in range(300):
        card = rng.integers(0, 256, (120, 640, 3), dtype=np.uint8)
        card = cv2.GaussianBlur(card, (0, 0), float(rng.uniform(0.3, 5.0))) if trial % 2 else card
        if trial % 7 == 0:
            card[:, : int(rng.integers(0, 640))] = rng.integers(0, 256)
        boxes = [(int(rng.integers(-8, 300)), int(rng.integers(-8, 60)), int(rng.integers(300, 660)),
                  int(rng.integers(60, 130))) for _ in range(int(rng.integers(1, 9)))]
        ours, reference = print_sharpness(card, boxes), _reference_sharpness(card, boxes)
        assert (ours is None) == (reference is None)
        if ours is not None and reference is not None:
            assert ours == pytest.approx(reference, rel=1e-5, abs=1e-9)

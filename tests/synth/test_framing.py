"""Framings: a white scanner margin is there, a cut loses the card's edge and corners (and only up
to 2 mm of it), a white desk hides the outline; truth geometry stays exact; draw_sample is stable."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from idcard_ocr.synth.dataset import Sample, draw_sample
from idcard_ocr.synth.framing import FRAMINGS, MAX_CUT_MM
from tests.fonts import needs_fonts

pytestmark = needs_fonts


def _image(sample: Sample) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(sample.jpeg, np.uint8), cv2.IMREAD_COLOR)


def _card_px_per_mm(sample: Sample) -> float:
    quad = np.array(sample.truth["quad"])
    return float(np.linalg.norm(quad[1] - quad[0])) / 85.6


@pytest.mark.parametrize("seed", range(3))
def test_margin_scan_has_white_all_round(seed: int) -> None:
    sample = draw_sample("heldout", "margin", "front", seed=seed)
    image, quad = _image(sample), np.array(sample.truth["quad"])
    height, width = image.shape[:2]
    assert quad[:, 0].min() > 5 and quad[:, 1].min() > 5
    assert quad[:, 0].max() < width - 5 and quad[:, 1].max() < height - 5
    border = np.concatenate([image[:4].reshape(-1, 3), image[-4:].reshape(-1, 3)])
    assert border.mean() > 230  # the scanner's white
    assert sample.truth["legibility"]["legible"]


@pytest.mark.parametrize("seed", range(4))
def test_cut_to_card_loses_the_edge_but_no_print(seed: int) -> None:
    sample = draw_sample("heldout", "cut", "front" if seed % 2 else "back", seed=seed)
    height, width = _image(sample).shape[:2]
    quad = np.array(sample.truth["quad"])
    mm = _card_px_per_mm(sample)
    # The card's outline lies at most a few px inside the frame (a frame a bit wide or tilted)
    # and at most 2 mm (plus a tilt's worth) outside it on every side.
    assert -(MAX_CUT_MM + 1.2) * mm <= quad[:, 0].min() <= 0.6 * mm
    assert -(MAX_CUT_MM + 1.2) * mm <= quad[:, 1].min() <= 0.6 * mm
    assert width - 0.6 * mm <= quad[:, 0].max() <= width + (MAX_CUT_MM + 1.2) * mm
    assert height - 0.6 * mm <= quad[:, 1].max() <= height + (MAX_CUT_MM + 1.2) * mm
    for key, box in sample.truth["fields"].items():  # every value is whole inside the photo
        for x, y in box:
            assert 0 <= x <= width and 0 <= y <= height, key


def test_most_cuts_lose_the_corners() -> None:
    lost = 0
    for seed in range(8):
        sample = draw_sample("vivid", "cut", "front", seed=seed)
        height, width = _image(sample).shape[:2]
        quad = np.array(sample.truth["quad"])
        outside = [x < 0 or y < 0 or x > width or y > height for x, y in quad]
        lost += sum(outside)
    assert lost >= 20  # of 32 corners


def test_desk_hides_the_card_edge() -> None:
    sample = draw_sample("heldout", "desk", "front", seed=2)
    image = cv2.cvtColor(_image(sample), cv2.COLOR_BGR2GRAY).astype(float)
    quad = np.array(sample.truth["quad"])
    centre = quad.mean(axis=0)
    steps = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        mid = (a + b) / 2
        normal = (mid - centre) / np.linalg.norm(mid - centre)
        outside, inside = mid + 12 * normal, mid - 12 * normal
        steps.append(abs(image[int(outside[1]), int(outside[0])] - image[int(inside[1]), int(inside[0])]))
    assert float(np.median(steps)) < 25  # grey levels across the edge: barely there


@pytest.mark.parametrize("framing", FRAMINGS)
def test_draw_sample_is_deterministic_and_records_the_family(framing: str) -> None:
    one = draw_sample("heldout", framing, "back", seed="x", rotate=90)
    two = draw_sample("heldout", framing, "back", seed="x", rotate=90)
    assert one.jpeg == two.jpeg and one.truth == two.truth
    assert one.truth["family"] == "heldout" and one.truth["condition"] == framing
    assert one.truth["rotate"] == 90 and set(one.truth["info"]) == {"authority", "timelimit"}
    assert set(one.truth["print_offsets_mm"]) == {"block", "authority", "timelimit"}


def test_unknown_framing_or_family_is_refused() -> None:
    with pytest.raises(ValueError, match="framing"):
        draw_sample("heldout", "sideways")
    with pytest.raises(ValueError, match="family"):
        draw_sample("nope", "margin")

"""The legibility verdict: computed from what the generator did, conservative at the boundary."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from idcard_ocr.synth import legibility
from idcard_ocr.synth.card import CardImage
from idcard_ocr.synth.dataset import generate_set
from idcard_ocr.synth.photo import make_photo
from tests.fonts import needs_fonts


def _plain_card() -> CardImage:
    """A plain 856 x 540 card (no fonts needed: legibility depends on geometry and damage only)."""
    bgr = np.full((540, 856, 3), 235, np.uint8)
    cv2.rectangle(bgr, (300, 60), (360, 110), (0, 0, 0), -1)
    mask = np.full((540, 856), 255, np.uint8)
    return CardImage("front", bgr, mask, 10.0, {})


def _upright_quad(card_height_px: float) -> np.ndarray:
    width = card_height_px * 85.6 / 54.0
    return np.array([[0, 0], [width, 0], [width, card_height_px], [0, card_height_px]], np.float64)


def test_character_height_is_the_printed_share_of_the_card() -> None:
    verdict = legibility.assess(_upright_quad(540.0))
    assert verdict["char_px"] == pytest.approx(540.0 * 2.6 / 54.0, abs=0.01)  # 26 px
    assert verdict["legible"] is True


def test_the_far_edge_of_a_tilted_card_decides_its_height() -> None:
    quad = np.array([[0, 0], [300, 20], [300, 160], [0, 200]], np.float64)  # right edge 140 px
    assert legibility.card_height_px(quad) == pytest.approx(140.0)


def test_a_clean_scan_is_legible() -> None:
    photo = make_photo(_plain_card(), random.Random(3), "clean", 0, max_side=1000)
    verdict = photo.legibility
    assert verdict["legible"] is True
    assert verdict["downscale"] == 1.0 and verdict["total_blur_sigma"] == 0.0
    assert verdict["char_px"] > 20  # a 1000 px scan prints value characters over 20 px tall


def test_a_lowres_photo_of_a_small_card_is_illegible() -> None:
    photo = make_photo(_plain_card(), random.Random(3), "lowres", 0, max_side=1024)
    verdict = photo.legibility
    assert verdict["downscale"] < 0.6
    assert verdict["effective_char_px"] < legibility.MIN_CHAR_PX
    assert verdict["legible"] is False


@pytest.mark.parametrize(
    ("card_px", "changes", "legible"),
    [
        (200.0, {}, True),  # 9.6 px characters
        (200.0, {"downscale": 0.9}, False),  # shrunk to 8.7 px
        (170.0, {}, False),  # 8.2 px
        (400.0, {"focus_sigma": 0.14 * 19.26}, True),
        (400.0, {"focus_sigma": 0.16 * 19.26}, False),
        (400.0, {"focus_sigma": 2.5, "copy_sigma": 1.5}, False),  # blurs add: sigma 2.9 > 2.89
        (400.0, {"motion_length": 9.0}, True),  # a smear under half a character
        (400.0, {"motion_length": 11.0}, False),
    ],
)
def test_the_rule_at_its_boundaries(card_px: float, changes: dict[str, float], legible: bool) -> None:
    assert legibility.assess(_upright_quad(card_px), **changes)["legible"] is legible  # type: ignore[arg-type]


def test_jpeg_quality_is_the_one_written() -> None:
    photo = make_photo(_plain_card(), random.Random(4), "phone", 0, max_side=800)
    assert 50 <= photo.legibility["jpeg_quality"] <= 90


@needs_fonts
def test_every_card_record_carries_its_legibility(tmp_path: Path) -> None:
    records = generate_set(tmp_path, 1, 1, {"lowres": 1.0}, seed=2, max_side=640)
    assert [r["legibility"]["legible"] for r in records] == [False, False]
    assert all(r["legibility"]["downscale"] < 1.0 for r in records)


def test_glare_that_washes_out_a_value_makes_the_photo_illegible() -> None:
    quad = _upright_quad(400.0)
    assert legibility.assess(quad, glare_contrast=legibility.MIN_GLARE_CONTRAST)["legible"] is True
    washed = legibility.assess(quad, glare_contrast=legibility.MIN_GLARE_CONTRAST - 0.5)
    assert washed["legible"] is False
    assert washed["glare_contrast"] == pytest.approx(legibility.MIN_GLARE_CONTRAST - 0.5, abs=0.05)
    assert legibility.assess(quad)["glare_contrast"] == legibility.NO_GLARE


def test_glare_contrast_is_the_faintest_glared_character_cell() -> None:
    before = np.full((60, 200, 3), 255, np.uint8)  # paper already white, as under a spot
    for x0 in (20, 60, 100):  # three dark "characters", then a blank, in one 30 px tall box
        before[20:40, x0 : x0 + 16] = 30
    added = np.zeros((60, 200), np.float32)
    fields = {"name": [[16.0, 15.0], [164.0, 15.0], [164.0, 45.0], [16.0, 45.0]]}
    assert legibility.glare_contrast(before, before, added, fields) == legibility.NO_GLARE  # no spot
    added[:, 95:165] = 200.0  # a spot over the third character and the blank after it
    after = before.copy()
    after[:, 95:165] = np.minimum(before[:, 95:165].astype(int) + 200, 255).astype(np.uint8)
    assert legibility.glare_contrast(before, after, added, fields) == pytest.approx(25.0, abs=1.0)
    after[20:40, 100:116] = 245  # bleached to near white (the blank cell is never judged)
    assert legibility.glare_contrast(before, after, added, fields) == pytest.approx(10.0, abs=1.0)
    assert legibility.glare_contrast(None, after, added, fields) == legibility.NO_GLARE


def test_a_glare_photo_records_how_much_contrast_its_values_kept() -> None:
    photo = make_photo(_plain_card(), random.Random(5), "glare", 0, max_side=800)
    assert 0.0 <= photo.legibility["glare_contrast"] <= legibility.NO_GLARE

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
from tests.synth.conftest import needs_fonts


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
    assert legibility.assess(quad, glare_peak=legibility.MAX_GLARE_ADD)["legible"] is True
    washed = legibility.assess(quad, glare_peak=legibility.MAX_GLARE_ADD + 1.0)
    assert washed["legible"] is False
    assert washed["glare_peak"] == pytest.approx(legibility.MAX_GLARE_ADD + 1.0, abs=0.05)
    # At the limit black print keeps 20 grey levels against paper gone white.
    assert legibility.MIN_GLARE_CONTRAST == 255.0 - legibility.INK_LEVEL - legibility.MAX_GLARE_ADD


def test_glare_peak_is_the_brightest_spot_inside_any_value_box() -> None:
    added = np.zeros((100, 200), np.float32)
    added[10, 150] = 250.0  # a spot outside every value
    added[50, 40] = 120.0
    fields = {"name": [[20.0, 40.0], [80.0, 40.0], [80.0, 60.0], [20.0, 60.0]]}
    assert legibility.glare_peak(added, fields) == pytest.approx(120.0)
    assert legibility.glare_peak(None, fields) == 0.0


def test_a_glare_photo_records_how_much_its_values_were_washed() -> None:
    photo = make_photo(_plain_card(), random.Random(5), "glare", 0, max_side=800)
    assert "glare_peak" in photo.legibility
    assert photo.legibility["glare_peak"] >= 0.0

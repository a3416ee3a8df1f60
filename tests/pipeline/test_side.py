"""Side (front/back) and upside-down detection from the printed layout of a straightened card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.geometry import straighten, warp
from idcard_ocr.pipeline.side import FRONT_PRINT, _template, darkness_grid, layout_scores, templates


def test_templates_are_normalised_and_turned_copies() -> None:
    t = templates()
    for grid in t.values():
        assert abs(float(grid.mean())) < 1e-5
        assert abs(float(np.linalg.norm(grid)) - 1.0) < 1e-4
    assert np.allclose(t[("front", True)], t[("front", False)][::-1, ::-1])
    # The two sides' layouts differ clearly, upright or not.
    assert float(np.sum(t[("front", False)] * t[("back", False)])) < 0.3


def test_blank_card_scores_nothing() -> None:
    blank = np.full((540, 856, 3), 230, np.uint8)
    scores = layout_scores(blank)
    assert max(scores.front, scores.back, scores.front_turned, scores.back_turned) == 0.0
    assert darkness_grid(blank).max() < 1e-3


def test_blank_card_shape_is_not_an_id_card() -> None:
    photo = np.full((900, 1200, 3), 60, np.uint8)
    cv2.rectangle(photo, (200, 200), (200 + 642, 200 + 405), (232, 236, 240), -1)
    assert straighten(photo) is None


def test_side_and_orientation_from_the_true_corners(
    card_photos: list[dict[str, Any]], photo_bytes: Callable[[str], bytes]
) -> None:
    """With the exact corners, every card reads the right side and way up, with a clear margin."""
    weak = []
    for record in card_photos:
        image = decode_image(photo_bytes(record["file"])).image
        truth = np.array(record["quad"], dtype=np.float64)
        for turned in (False, True):
            corners = np.roll(truth, 2, axis=0) if turned else truth
            side, flipped, margin = layout_scores(warp(image, corners)).best()
            if side != record["side"] or flipped != turned or margin < 0.1:
                weak.append(f"{record['file']} turned={turned}: {side} {flipped} margin {margin:.2f}")
    assert not weak, weak


def test_shadow_across_the_card_does_not_change_the_side(
    card_photos: list[dict[str, Any]], photo_bytes: Callable[[str], bytes]
) -> None:
    for wanted in ("front", "back"):
        record = next(r for r in card_photos if r["side"] == wanted and r["condition"] == "clean")
        card = warp(decode_image(photo_bytes(record["file"])).image, record["quad"])
        shaded = card.astype(np.float32)
        shaded[:, 300:600] *= 0.55  # a hand's shadow across the middle
        side, flipped, _ = layout_scores(shaded.astype(np.uint8)).best()
        assert (side, flipped) == (wanted, False)


def test_print_moved_on_the_card_matches_its_layout_with_slack() -> None:
    """A front printed 3 mm low and 2 mm right matches the front's layout only with slack; the
    slack never lowers a score, and a blank card still scores nothing."""
    grid = np.full((54, 86), 230.0, np.float32) - 150.0 * _template(FRONT_PRINT, False)
    moved = np.full_like(grid, 230.0)
    moved[3:, 2:] = grid[:-3, :-2]
    card = cv2.resize(moved.astype(np.uint8), (856, 540), interpolation=cv2.INTER_NEAREST)
    exact, slack = layout_scores(card), layout_scores(card, shift_mm=3)
    assert slack.front > 0.8 > exact.front + 0.2
    assert slack.best()[:2] == ("front", False)
    for before, after in zip(
        (exact.front, exact.front_turned, exact.back, exact.back_turned),
        (slack.front, slack.front_turned, slack.back, slack.back_turned),
        strict=True,
    ):
        assert after >= before
    assert layout_scores(np.full((540, 856, 3), 230, np.uint8), shift_mm=3).front == 0.0


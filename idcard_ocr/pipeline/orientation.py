"""Orientation: turn a found card quad into an upright card, its side and the API's ``rotate``.

Ordering the corners so that the long side is the card's top leaves two readings, upright or
upside down; the layout templates (``side.py``) decide between them and, in the same breath,
between front and back. ``rotate`` then follows from where the upright card's top edge points in
the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from idcard_ocr.pipeline.quad import (
    CARD_HEIGHT,
    CARD_WIDTH,
    long_side_first,
    order_clockwise,
    rotate_of,
    warp,
)
from idcard_ocr.pipeline.side import LayoutScores, layout_scores_both
from idcard_ocr.pipeline.types import Side


@dataclass(frozen=True)
class OrientedCard:
    """An upright canonical card and what was decided about it."""

    card: np.ndarray  # 540 x 856 x 3 BGR, upright
    quad: np.ndarray  # TL, TR, BR, BL of the upright card in the photo
    rotate: int  # 0, 90, 180 or 270: how far the card is turned clockwise in the photo
    side: Side
    side_score: float  # margin of the chosen (side, orientation) over the runner-up
    layout_match: float  # correlation of the card with the chosen side's template (-1..1)
    scores: LayoutScores
    turned: bool = False  # ``card`` was cut along ``quad`` rolled by two, then turned half-way
    # The chosen hypothesis's correlation at the layout's exact places: ``layout_match`` itself
    # unless the print was allowed to have moved (``shift_mm``).
    exact_match: float | None = None

    @property
    def placed_match(self) -> float:
        """How well the print matches the chosen side's layout where the layout puts it."""
        return self.layout_match if self.exact_match is None else self.exact_match


def orient_card(
    img: np.ndarray,
    quad: np.ndarray,
    size: tuple[int, int] = (CARD_WIDTH, CARD_HEIGHT),
    side: Side | None = None,
    shift_mm: int = 0,
    sure: float | None = None,
) -> OrientedCard:
    """Warp the card with corners ``quad`` (any order) out of ``img`` and set it upright.

    ``size`` (width, height) of the straightened card; a smaller one is enough to compare
    candidates, since the layout is judged on a 1 mm grid. ``side``: the card is known to be
    that side (only which way up is decided; the margin is over the other way up). ``shift_mm``:
    judge each hypothesis by its best match with the print moved up to that far (``side.py``);
    ``exact_match`` is then the chosen one's match at the exact places. With ``sure``, the slack
    is taken only when no hypothesis matches that well at the exact places (one warp and one
    grid either way).
    """
    corners = long_side_first(order_clockwise(quad))
    card = warp(img, corners, size[0], size[1])
    exact, scores = layout_scores_both(card, shift_mm, sure)
    side, turned, margin = scores.best(side)
    if turned:
        corners = np.roll(corners, 2, axis=0)
        card = cv2.rotate(card, cv2.ROTATE_180)
    match, placed = scores.of(side, turned), exact.of(side, turned)
    return OrientedCard(
        card=card,
        quad=corners,
        rotate=rotate_of(corners),
        side=side,
        side_score=margin,
        layout_match=match,
        scores=scores,
        turned=turned,
        exact_match=None if shift_mm <= 0 else placed,
    )

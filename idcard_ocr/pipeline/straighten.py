"""The geometry stages in one call: find the card, refine its corners, set it upright, tell its side.

``straighten(img)`` is what the reading stages consume. It tries the best few card-shaped
quadrilaterals (a photo may hold other paper, a phone, another card), refines each on the full
resolution photo, and keeps the one that both looks most like a card outline and whose print
matches an ID card's layout best. A quad whose print matches neither side's layout is not a card.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from idcard_ocr.pipeline.locate import LOCATE_MAX_SIDE, MIN_SCORE, find_candidates
from idcard_ocr.pipeline.locate_print import print_block_quads
from idcard_ocr.pipeline.orientation import OrientedCard, orient_card
from idcard_ocr.pipeline.rectify import refine_quad
from idcard_ocr.pipeline.types import Point, Side

CANDIDATES_TRIED = 6
MIN_LAYOUT_MATCH = 0.25  # below this correlation the print does not look like either side
SURE_LAYOUT_MATCH = 0.5  # at or above this (with a clear outline) later candidates are skipped
SURE_OUTLINE = 0.6
# The print matching an ID card's layout says more than a clean outline: the portrait's frame,
# a receipt or a text block can have the cleaner outline.
LAYOUT_WEIGHT = 2.0
PRINT_MIN_LAYOUT_MATCH = 0.4  # a card placed from its print alone must match its layout clearly


@dataclass(frozen=True)
class Straightened:
    """The upright canonical card cut from a photo, and where and how it lay there."""

    card: np.ndarray  # 540 x 856 x 3 BGR uint8, upright
    quad: tuple[Point, Point, Point, Point]  # TL, TR, BR, BL of the upright card, input pixels
    rotate: int  # 0 | 90 | 180 | 270: how far the card is turned clockwise (the API's rotate)
    side: Side
    side_score: float  # margin of the chosen side and orientation over the runner-up (0..2)
    outline_score: float = 0.0  # how card-like and well-edged the outline is (0..1)
    layout_match: float = 0.0  # correlation of the print with the chosen side's layout (-1..1)
    timings_ms: dict[str, float] = field(default_factory=dict)


def _refine_search_px(img: np.ndarray) -> float:
    """How far the full-resolution edge may lie from the coarse one: a few coarse pixels."""
    factor = max(img.shape[:2]) / float(LOCATE_MAX_SIDE)
    return max(5.0, 3.0 * factor)


def _best_from_print(img: np.ndarray) -> OrientedCard | None:
    """The card drawn around its print block (no outline needed), if its layout matches well."""
    best: OrientedCard | None = None
    for quad in print_block_quads(img):
        # The print only fixes the card to a few mm: let visible edges, if any, pull it in.
        width = float(np.linalg.norm(quad[1] - quad[0]))
        refined = refine_quad(img, quad, search_px=max(4.0, width * 3.0 / 85.6))
        oriented = orient_card(img, refined)
        if oriented.layout_match >= PRINT_MIN_LAYOUT_MATCH and (
            best is None or oriented.layout_match > best.layout_match
        ):
            best = oriented
    return best


def straighten(img: np.ndarray) -> Straightened | None:
    """Find, straighten and orient the ID card in a BGR photo; None when there is no card.

    The returned quad is in ``img``'s pixel coordinates (for a reduced decode, scale it with
    ``DecodedImage.to_original``).
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    candidates = [c for c in find_candidates(img, limit=CANDIDATES_TRIED) if c.score >= MIN_SCORE]
    timings["locate"] = (time.perf_counter() - start) * 1000.0

    best: tuple[float, float, OrientedCard] | None = None
    refine_ms = orient_ms = 0.0
    for candidate in candidates:
        mark = time.perf_counter()
        quad = refine_quad(img, candidate.quad, search_px=_refine_search_px(img))
        refine_ms += (time.perf_counter() - mark) * 1000.0
        mark = time.perf_counter()
        oriented = orient_card(img, quad)
        orient_ms += (time.perf_counter() - mark) * 1000.0
        if oriented.layout_match < MIN_LAYOUT_MATCH:
            continue
        combined = candidate.score + LAYOUT_WEIGHT * oriented.layout_match
        if best is None or combined > best[0]:
            best = (combined, candidate.score, oriented)
        if candidate.score >= SURE_OUTLINE and oriented.layout_match >= SURE_LAYOUT_MATCH:
            break  # a clear card: the other outlines are its portrait, a text block or clutter
    timings["refine"] = refine_ms
    timings["orient"] = orient_ms
    if best is None or best[2].layout_match < SURE_LAYOUT_MATCH:
        mark = time.perf_counter()
        from_print = _best_from_print(img)
        timings["print_fallback"] = (time.perf_counter() - mark) * 1000.0
        if from_print is not None and (best is None or LAYOUT_WEIGHT * from_print.layout_match > best[0]):
            best = (LAYOUT_WEIGHT * from_print.layout_match, 0.0, from_print)
    timings["straighten"] = (time.perf_counter() - start) * 1000.0
    if best is None:
        return None
    _combined, outline, oriented = best
    corners = tuple((float(x), float(y)) for x, y in oriented.quad)
    return Straightened(
        card=oriented.card,
        quad=corners,  # type: ignore[arg-type]
        rotate=oriented.rotate,
        side=oriented.side,
        side_score=oriented.side_score,
        outline_score=outline,
        layout_match=oriented.layout_match,
        timings_ms=timings,
    )

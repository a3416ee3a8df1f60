"""A card placed from its print rather than its outline: slid and scaled onto the layout, put
back on the edges it lies on, and given the card's shape where one side of a square-on quad
lies on something else. The straightener (``straighten.py``) uses these when no outline is
convincing, and judges every quad with the constants below."""

from __future__ import annotations

import numpy as np

from idcard_ocr.pipeline.locate import LocatePass, edge_support
from idcard_ocr.pipeline.locate_print import CARD_MM, register_to_layout
from idcard_ocr.pipeline.orientation import OrientedCard, orient_card
from idcard_ocr.pipeline.quad import (
    CARD_ASPECT,
    aspect_ratio,
    corner_angles,
    long_side_first,
    order_clockwise,
    side_lengths,
)
from idcard_ocr.pipeline.rectify import refine_quad

PREVIEW_SIZE = (344, 216)  # 4 px per mm: enough to judge the layout on its 1 mm grid
# The print matching an ID card's layout says more than a clean outline: the portrait's frame,
# a receipt or a text block can have the cleaner outline.
LAYOUT_WEIGHT = 2.0
# A quad that matches two readings (side, way up) almost equally is a part of a card or something
# else: real cards win by 0.2 or more.
MIN_SIDE_MARGIN = 0.15
MIN_LAYOUT_MATCH = 0.25  # below this correlation the print does not look like either side
# A card placed from its print alone (and slid onto the layout) must match it clearly: real cards
# reach 0.46 or more with a margin of 0.3, text pages and fragments about 0.2-0.43 and under 0.2.
PRINT_MIN_LAYOUT_MATCH = 0.45
PRINT_MIN_SIDE_MARGIN = 0.25
FRONTAL_ANGLE_DEG = 4.0  # corners this close to square: seen from the front, shape kept
ASPECT_TOLERANCE = 0.05  # 1.585 give or take this is the card's own shape
ASPECT_MAX_LOSS = 0.02  # a repaired quad may match the layout this much worse than the wrong one
PRINT_SEARCH_MM = 3.0  # the print fixes the card to a few mm; edges, if any, are sought that far
# Among cards placed roughly, layout matches within a few hundredths of each other say little
# about a few mm of placement (a blurred or noisy card fits its layout about as well 3 mm off);
# how much of the outline lies on edges tells them apart.
PLACED_EDGE_WEIGHT = 0.3
# A placed quad whose print matches the layout less than this is not refined onto edges: that
# moves the match by about 0.1 at most, short of PRINT_MIN_LAYOUT_MATCH (and saves the time).
SNAP_MIN_LAYOUT_MATCH = 0.3
# A placed card is slid onto the layout again while each slide improves its match by this much,
# at most this many slides in all (about 2 ms each): enough for a card placed a third too large.
REGISTER_STEPS = 4
REGISTER_MIN_GAIN = 0.02
SCALED_FULLY = 0.08  # a slide that changed the size this much went to register_to_layout's limit


def placed_clearly(preview: OrientedCard) -> bool:
    """Whether a card placed without a whole outline matches one side's layout clearly enough."""
    return preview.layout_match >= PRINT_MIN_LAYOUT_MATCH and preview.side_score >= PRINT_MIN_SIDE_MARGIN


def registered(
    img: np.ndarray, located: LocatePass, small_quad: np.ndarray, sensitive: np.ndarray
) -> tuple[OrientedCard, float]:
    """A roughly placed card, slid and scaled until its print fits the layout, then put back
    on the edges it lies on; with its placed score (layout match and edge support together).

    The print fixes a card only to a few mm: the layout's boxes are coarse, and a noisy or
    blurred card fits them about as well a few mm off. Edges fix it to a pixel. So the quad as
    placed and the slid one are each refined onto the photo's strongest edges within
    ``PRINT_SEARCH_MM`` (a side on the card's edge stays there; a guessed side moves onto an
    edge only if one is that near), and the variant with the best placed score wins: a slide
    that carries seen edges off their edges loses their support, and a refinement that takes a
    side onto print inside the card loses layout match.
    """
    small, factor = located.small, located.factor
    preview = orient_card(small, small_quad, PREVIEW_SIZE)
    before = preview
    slid = orient_card(small, register_to_layout(small, preview.quad, preview.side)[0], PREVIEW_SIZE)
    for _step in range(1, REGISTER_STEPS):
        # One slide scales by a tenth at most: a card placed a third too large (a guessed side
        # on the paper under it) is slid again while each slide goes as far as it may and fits
        # the print better. A slide that stopped short found the card's size; sliding on would
        # only drift with the noise in the fit, and so would sliding a card that already fits.
        if (
            not SNAP_MIN_LAYOUT_MATCH <= slid.layout_match < PRINT_MIN_LAYOUT_MATCH
            or abs(_perimeter(slid.quad) / _perimeter(before.quad) - 1.0) < SCALED_FULLY
        ):
            break
        further = orient_card(small, register_to_layout(small, slid.quad, slid.side)[0], PREVIEW_SIZE)
        if further.layout_match < slid.layout_match + REGISTER_MIN_GAIN:
            break
        slid, before = further, slid
    best, best_key = preview, (False, -1.0)
    for rough in (preview, slid):
        variants = [rough]
        if rough.layout_match >= SNAP_MIN_LAYOUT_MATCH:
            photo_quad = (rough.quad + 0.5) * factor - 0.5
            width = float(np.linalg.norm(photo_quad[1] - photo_quad[0]))
            snapped = refine_quad(img, photo_quad, search_px=max(4.0, width * PRINT_SEARCH_MM / CARD_MM[0]))
            variants.append(orient_card(small, (snapped + 0.5) / factor - 0.5, PREVIEW_SIZE))
        for candidate in variants:
            score = LAYOUT_WEIGHT * candidate.layout_match + PLACED_EDGE_WEIGHT * edge_support(
                candidate.quad, sensitive
            )
            key = (placed_clearly(candidate), score)  # a variant that qualifies beats one that does not
            if key > best_key:
                best, best_key = candidate, key
    return best, best_key[1]


def _perimeter(quad: np.ndarray) -> float:
    """A quad's perimeter: how large it is, whichever corner comes first."""
    return float(side_lengths(quad).sum())


def repair_aspect(small: np.ndarray, factor: float, quad: np.ndarray) -> np.ndarray:
    """A seen-from-the-front quad with the wrong shape has one side on something else (the
    portrait's frame, a receipt the card lies on, the edge of the photo): rebuild each side in
    turn from the opposite one, along the two sides that meet it, at the card's true shape, and
    keep the variant whose print matches the layout best, if any beats the quad.

    Only where the kept side's two corners are square: seen from the front, a card's corners
    are right angles, and a wrong side leaves its own two corners off square but not the others.
    """
    small_quad = long_side_first(order_clockwise((quad + 0.5) / factor - 0.5))
    if abs(aspect_ratio(small_quad) - CARD_ASPECT) <= ASPECT_TOLERANCE:
        return quad
    angles = corner_angles(small_quad)
    base = orient_card(small, small_quad, PREVIEW_SIZE)
    # The card's shape is known, so a square-on quad of another shape is wrong: a variant that
    # fits the print about as well wins (a blank margin added or cut changes the fit little).
    best_quad, best_match = quad, base.layout_match - ASPECT_MAX_LOSS
    for wrong in range(4):  # side ``wrong`` runs from corner ``wrong`` to corner ``wrong + 1``
        a, b = (wrong + 2) % 4, (wrong + 3) % 4  # the opposite side, kept: corners a -> b
        if max(abs(angles[a] - 90.0), abs(angles[b] - 90.0)) > FRONTAL_ANGLE_DEG:
            continue  # in perspective the shape says little about a wrong side
        kept = float(np.linalg.norm(small_quad[b] - small_quad[a]))
        # The wrong side's length across: the card's other dimension.
        reach = kept / CARD_ASPECT if wrong % 2 == 0 else kept * CARD_ASPECT
        variant = small_quad.copy()
        for near, far in ((b, (wrong) % 4), (a, (wrong + 1) % 4)):
            direction = small_quad[far] - small_quad[near]  # along a side that meets the wrong one
            variant[far] = small_quad[near] + direction / max(float(np.linalg.norm(direction)), 1e-9) * reach
        preview = orient_card(small, variant, PREVIEW_SIZE)
        if preview.layout_match > best_match and preview.side_score >= MIN_SIDE_MARGIN:
            best_quad, best_match = (variant + 0.5) * factor - 0.5, preview.layout_match
    return best_quad

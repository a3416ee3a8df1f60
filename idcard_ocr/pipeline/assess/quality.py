"""Is this photo good enough to accept? Sharpness, glare, exposure, framing, occlusion, size.

Every measure is taken on the upright canonical card (856 x 540 px) cut from the photo, except
the framing ones (cut off, too small), which compare the card's corners with the frame. Each
flag is decided by one documented threshold on one number, and the numbers come back as
``metrics`` so that a caller can set its own bar. ``score`` starts at 100 and loses a fixed
amount per raised flag (a photo without a card scores 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from idcard_ocr.pipeline.assess.card_regions import inner_mask, picture_mask
from idcard_ocr.pipeline.assess.photo_view import PhotoView
from idcard_ocr.pipeline.legible import too_soft
from idcard_ocr.pipeline.types import FieldReading, Side

BLUR_SHARPNESS = 30.0  # variance of the Laplacian of the card below this: blurred
GLARE_LEVEL = 250  # grey level from which a pixel is saturated
GLARE_MIN_BLOB = 0.004  # a saturated blob this share of the card (about 18 mm²) is glare
GLARE_MAX_SHARE = 0.45  # past this share of the card it is over-exposure, not a spot of glare
OVEREXPOSED_SHARE = 0.45  # saturated share of the card
OVEREXPOSED_MEAN = 235.0  # ... or its mean grey level
UNDEREXPOSED_MEAN = 70.0  # mean grey level of the card below this
UNDEREXPOSED_BRIGHT = 110.0  # ... or its 99th percentile (the brightest paper) below this
# A corner this far (card mm) beyond the frame: cut off. The card's corners are rounded (3.2 mm),
# so its outline's corner lies ~0.9 mm outside what is printed: a corner just touching the frame
# loses nothing. A whole side lying along the frame's edge, though, is the frame cutting the card
# (the card's outline was found up to where the photo ends).
CUT_OFF_MM = 0.5
ALONG_EDGE_MM = 0.3
CARD_LONG_MM = 85.6
TOO_SMALL_SHARE = 0.2  # the card's extent over the frame's, in its larger proportion
TOO_SMALL_PX = 320.0  # or its long side, in uploaded-photo pixels (text ~12 px high below it)
OCCLUDER_CHROMA = 0.045  # rg-chromaticity distance from the card's ground colour
OCCLUDER_MIN_BLOB = 0.02  # a foreign-coloured blob this share of the card (~90 mm²) covers it
OCCLUDER_STROKE_PX = 15  # opening size that removes printed strokes but keeps a finger
UNREAD_FIELD_CONFIDENCE = 0.5
UNREAD_FIELDS_OCCLUDED = 2  # this many expected fields unread (and the card sharp) reads as covered

PENALTIES: Mapping[str, int] = {
    "blur": 35,
    "glare": 20,
    "overexposed": 25,
    "underexposed": 25,
    "cutOff": 30,
    "occluded": 30,
    "tooSmall": 25,
}
FLAG_NAMES: tuple[str, ...] = tuple(PENALTIES)


@dataclass(frozen=True)
class QualityReport:
    """The verdict: a 0..100 score, one flag per problem, and the numbers behind the flags."""

    score: int
    flags: dict[str, bool]
    metrics: dict[str, float] = field(default_factory=dict)


def sharpness(grey_card: np.ndarray) -> float:
    """Variance of the Laplacian of the card, after a light smoothing so sensor noise is not read
    as detail."""
    smooth = cv2.GaussianBlur(grey_card, (3, 3), 0)
    return float(cv2.Laplacian(smooth, cv2.CV_64F).var())


def glare_blobs(grey_card: np.ndarray, considered: np.ndarray) -> tuple[float, float]:
    """(largest saturated blob, all saturated pixels) within ``considered``, as shares of it.

    A blob touching the edge of ``considered`` is left out of the largest: that is white paper
    or a bright desk seen past the card's edge when its corners were found a little too wide.
    """
    area = max(int(considered.sum()), 1)
    saturated = ((grey_card >= GLARE_LEVEL) & considered).astype(np.uint8)
    total = float(saturated.sum()) / area
    if total == 0.0:
        return 0.0, 0.0
    _count, labels, stats, _centroids = cv2.connectedComponentsWithStats(saturated, connectivity=8)
    inner = cv2.erode(considered.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    touching = np.unique(labels[saturated.astype(bool) & ~inner])
    sizes = stats[:, cv2.CC_STAT_AREA].copy()
    sizes[0] = 0
    sizes[touching] = 0
    return float(sizes.max()) / area, total


def occluder_share(card: np.ndarray, side: Side, considered: np.ndarray) -> float:
    """Share of the card under the largest solid blob whose colour is not the card's.

    Colour is compared as rg chromaticity (shading-invariant, so shadows and uneven light do not
    count); printed text differs too but is thin and is removed by a morphological opening; the
    printed pictures and the rim are skipped; very dark and saturated pixels have no reliable
    chromaticity and are left out.
    """
    pixels = card.astype(np.float32)
    total = pixels.sum(axis=2) + 1e-3
    chroma = np.stack([pixels[..., 2] / total, pixels[..., 1] / total], axis=2)  # r, g
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    usable = (grey > 50) & (grey < GLARE_LEVEL) & (picture_mask(side) == 0) & considered
    if usable.mean() < 0.2:
        return 0.0
    ground = np.median(chroma[usable], axis=0)
    distance = np.linalg.norm(chroma - ground, axis=2)
    foreign = ((distance > OCCLUDER_CHROMA) & usable).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (OCCLUDER_STROKE_PX, OCCLUDER_STROKE_PX))
    solid = cv2.morphologyEx(foreign, cv2.MORPH_OPEN, kernel)
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(solid, connectivity=8)
    largest = float(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0.0
    return largest / foreign.size


def _px_per_mm(quad: np.ndarray) -> float:
    sides = np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1)
    return float(max(max(sides[0] + sides[2], sides[1] + sides[3]) / 2.0 / CARD_LONG_MM, 1e-6))


def _edge_gaps_mm(view: PhotoView) -> np.ndarray:
    """4 x 4: each corner's distance (card mm) inside the left, top, right and bottom frame edge."""
    assert view.quad is not None
    x, y = view.quad[:, 0], view.quad[:, 1]
    gaps = np.stack([x, y, (view.width - 1) - x, (view.height - 1) - y], axis=1)
    return np.asarray(gaps / _px_per_mm(view.quad))


def corner_clearance_mm(view: PhotoView) -> float:
    """How far inside the frame the nearest card corner lies, in millimetres of the card
    (negative when a corner is outside the photo)."""
    return float(_edge_gaps_mm(view).min())


def side_along_frame(view: PhotoView) -> bool:
    """True when both corners of one side of the card lie on (or past) the same frame edge."""
    near = _edge_gaps_mm(view) < ALONG_EDGE_MM  # corner x frame edge
    return any(bool((near[i] & near[(i + 1) % 4]).any()) for i in range(4))


def card_extent(view: PhotoView) -> tuple[float, float]:
    """(card's extent over the frame's in its larger proportion, card's long side in upload px)."""
    assert view.quad is not None
    span = view.quad.max(axis=0) - view.quad.min(axis=0)
    share = float(max(span[0] / view.width, span[1] / view.height))
    sides = np.linalg.norm(np.roll(view.quad, -1, axis=0) - view.quad, axis=1)
    long_side = float(max(sides[0] + sides[2], sides[1] + sides[3]) / 2.0) * view.scale
    return share, long_side


def unread_fields(fields: Mapping[str, FieldReading], expected: tuple[str, ...]) -> int:
    """How many of the ``expected`` fields came back empty or barely legible (a value taken from
    the ID number because its own print could not be read counts as unread)."""
    unread = 0
    for key in expected:
        reading = fields.get(key)
        if reading is None or not reading.text or reading.confidence < UNREAD_FIELD_CONFIDENCE \
                or reading.source != "print":
            unread += 1
    return unread


def _scored(flags: dict[str, bool]) -> int:
    return max(0, 100 - sum(PENALTIES[name] for name, raised in flags.items() if raised))


def assess_quality(
    view: PhotoView,
    side: Side,
    fields: Mapping[str, FieldReading],
    expected: tuple[str, ...],
    print_sharpness: float | None = None,
) -> QualityReport:
    """Judge the photo in ``view``: ``fields`` as recognised, ``expected`` the keys ``side`` prints,
    ``print_sharpness`` the recognition's measure of its value print (``legible.py``): print too
    soft to vouch for anything read from it is ``blur`` whatever the card's overall sharpness."""
    card, visible = view.card, view.visible
    if card is None or visible is None or view.quad is None:
        return QualityReport(0, dict.fromkeys(FLAG_NAMES, False), {"cardFound": 0.0})
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    considered = visible & inner_mask()
    if considered.sum() < 0.1 * considered.size:
        considered = visible  # hardly any of the card is in the photo: judge what there is
    if not considered.any():
        considered = np.ones_like(visible)
    sharp = sharpness(grey)
    glare_blob, saturated = glare_blobs(grey, considered)
    seen = grey[considered]
    mean, bright = float(seen.mean()), float(np.percentile(seen, 99))
    clearance = corner_clearance_mm(view)
    share, long_side = card_extent(view)
    occluder = occluder_share(card, side, considered)
    unread = unread_fields(fields, expected)
    blur = sharp < BLUR_SHARPNESS or too_soft(print_sharpness)
    overexposed = saturated > OVEREXPOSED_SHARE or mean > OVEREXPOSED_MEAN
    flags = {
        "blur": blur,
        "glare": glare_blob >= GLARE_MIN_BLOB and saturated <= GLARE_MAX_SHARE,
        "overexposed": overexposed,
        "underexposed": mean < UNDEREXPOSED_MEAN or bright < UNDEREXPOSED_BRIGHT,
        "cutOff": clearance < -CUT_OFF_MM or side_along_frame(view),
        "occluded": occluder >= OCCLUDER_MIN_BLOB or (unread >= UNREAD_FIELDS_OCCLUDED and not blur),
        "tooSmall": share < TOO_SMALL_SHARE or long_side < TOO_SMALL_PX,
    }
    metrics = {
        "cardFound": 1.0,
        "sharpness": round(sharp, 1),
        "glareBlob": round(glare_blob, 4),
        "saturated": round(saturated, 4),
        "meanGrey": round(mean, 1),
        "brightGrey": round(bright, 1),
        "cornerClearanceMm": round(clearance, 2),
        "cardShare": round(share, 3),
        "cardLongSidePx": round(long_side, 1),
        "occluderShare": round(occluder, 4),
        "unreadFields": float(unread),
    }
    if print_sharpness is not None:
        metrics["printSharpness"] = round(print_sharpness, 3)
    return QualityReport(_scored(flags), flags, metrics)

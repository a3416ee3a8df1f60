"""Card candidates from the print alone, for a card whose outline cannot be seen at all.

A white card on white paper, or a scan where the card fills the frame, shows no edge to follow;
its print still does. The dark print (text, portrait, emblem) is gathered into one block, and
the card is drawn around that block from where each side's print sits on a real card: for every
reading (front or back, either way up) the block's extent is mapped onto that side's print
extent in mm. The caller checks each reading against the full layout and keeps the best one.
"""

from __future__ import annotations

import cv2
import numpy as np

from idcard_ocr.pipeline.locate import shrink_for_locating
from idcard_ocr.pipeline.quad import order_clockwise
from idcard_ocr.pipeline.side import GRID_H, GRID_W, templates
from idcard_ocr.pipeline.types import Side

CARD_MM = (85.6, 54.0)
# Where the dark print starts and ends on each side (x0, y0, x1, y1 in mm from the top-left),
# measured on straightened cards: front from the labels to the portrait and the number's end,
# back from the emblem to the title's end and the validity line.
# Extents are the 1.5th and 98.5th percentiles of the print's pixels along each axis, so that a
# stray speck or the thin shadow line along the card's edge does not stretch them.
PRINT_EXTENT_MM = {"front": (5.7, 8.7, 75.5, 49.6), "back": (10.6, 7.4, 73.7, 49.1)}
EXTENT_PERCENTILE = 1.5
MIN_BLOCK_FRACTION = 0.01  # a print block smaller than this share of the photo is no card
TEXT_CHECK_MAX_SIDE = 960  # the text-marks check looks at a copy no larger than this
# Fewer glyph-like marks than this and a photo holds no text. Bare surfaces (wood grain, cloth,
# a mug seen from above) give 0-2; the faintest card photo (low resolution, blur) gives 17 or
# more, and so does a card placed from its print when checked at the size it has in the photo.
MIN_TEXT_MARKS = 8
# A stroke is print when it is this many grey levels darker than the paper around it.
INK_CONTRAST = 35


def _ink_mask(small: np.ndarray, contrast: int = INK_CONTRAST) -> np.ndarray:
    """Thin dark strokes (uint8 0/255): print, but not shadows, dark surfaces or the hair's mass."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    strokes = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, np.ones((9, 9), np.uint8))
    mask = np.where(strokes > contrast, 255, 0).astype(np.uint8)
    # Specks of paper grain or JPEG noise are not print.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    specks = np.nonzero(stats[:, cv2.CC_STAT_AREA] < 6)[0]
    if count > 1 and len(specks):
        mask[np.isin(labels, specks)] = 0
    return mask


def text_marks(img: np.ndarray, contrast: int = INK_CONTRAST) -> int:
    """How many glyph-like dark marks (a character, a digit, part of one) the photo holds.

    Thin dark strokes (``contrast`` grey levels darker than around them) are taken from the ink
    mask, then each connected mark is kept only when it
    has a glyph's size and shape: a small share of the photo's short side, neither a long streak
    (wood grain, a shadow line) nor a sparse outline. Cheap (a few ms): one black-hat filter and
    one connected-components pass on a copy of at most ``TEXT_CHECK_MAX_SIDE`` pixels.
    """
    return len(text_mark_centres(img, contrast))


def text_mark_centres(img: np.ndarray, contrast: int = INK_CONTRAST) -> np.ndarray:
    """The centres (x, y in ``img`` pixels, one row each) of the marks ``text_marks`` counts."""
    small, factor = shrink_for_locating(img, TEXT_CHECK_MAX_SIDE)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(
        _ink_mask(small, contrast), connectivity=8
    )
    if count <= 1:
        return np.zeros((0, 2), np.float64)
    short = float(min(small.shape[:2]))
    width = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    height = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    filled = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    glyph = (height >= max(4.0, 0.006 * short)) & (height <= 0.08 * short)
    glyph &= (width >= 2.0) & (width <= 0.12 * short)
    glyph &= np.maximum(width, height) <= 4.0 * np.minimum(width, height)  # not a streak
    glyph &= filled >= 0.15 * width * height  # not a thin ring around a blob
    return (np.asarray(centroids[1:][glyph], np.float64) + 0.5) * factor - 0.5


def has_text_marks(img: np.ndarray) -> bool:
    """False when a BGR photo shows nothing that looks like print at all (the API's 301 case).

    Meant for photos where no card was found, before any text detection: a bare table, cloth or
    a blank wall says "no text" here, while a receipt, a page or a card whose edges were missed
    says True. Biased towards True: a faint card photo has several times the threshold.
    """
    return text_marks(img) >= MIN_TEXT_MARKS


def _print_block(mask: np.ndarray) -> np.ndarray | None:
    """Points of the largest cluster of print, grown by nearby clusters; None when too small."""
    gap = max(5, int(0.04 * max(mask.shape)))
    merged = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((gap, gap), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    if count <= 1:
        return None
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
    x, y, w, h = (int(v) for v in stats[order[0], :4])
    union = [x, y, x + w, y + h]
    chosen = [int(order[0])]
    candidates = [
        int(label)
        for label in order[1:40]
        if stats[label, cv2.CC_STAT_AREA] >= 0.02 * stats[order[0], cv2.CC_STAT_AREA]
    ]
    grew = True
    while grew:  # repeat: each line taken in brings the next one within reach
        grew = False
        for label in list(candidates):
            bx, by, bw, bh = (int(v) for v in stats[label, :4])
            reach = 0.45 * max(union[2] - union[0], union[3] - union[1])
            near_x = bx <= union[2] + reach and bx + bw >= union[0] - reach
            near_y = by <= union[3] + reach and by + bh >= union[1] - reach
            if near_x and near_y:  # the emblem beside the title, the number under the address
                chosen.append(label)
                candidates.remove(label)
                union = [min(union[0], bx), min(union[1], by), max(union[2], bx + bw), max(union[3], by + bh)]
                grew = True
    block = np.isin(labels, chosen) & (mask > 0)
    ys, xs = np.nonzero(block)
    if len(xs) < 20 or (union[2] - union[0]) * (union[3] - union[1]) < MIN_BLOCK_FRACTION * mask.size:
        return None
    return np.stack([xs, ys], axis=1).astype(np.float32)


def _stroke_angle(points: np.ndarray) -> float:
    """The direction (radians, modulo 90 degrees) that the print's stroke edges mostly follow."""
    origin = points.min(axis=0)
    size = (points.max(axis=0) - origin).astype(int) + 3
    drawn = np.zeros((int(size[1]), int(size[0])), np.float32)
    drawn[(points[:, 1] - origin[1]).astype(int) + 1, (points[:, 0] - origin[0]).astype(int) + 1] = 1.0
    block = cv2.GaussianBlur(drawn, (3, 3), 0)
    gx, gy = cv2.Sobel(block, cv2.CV_32F, 1, 0), cv2.Sobel(block, cv2.CV_32F, 0, 1)
    weight = np.hypot(gx, gy).ravel()
    quarter = np.mod(np.arctan2(gy, gx).ravel(), np.pi / 2)  # 4-fold: rows and columns alike
    histogram, _ = np.histogram(quarter, bins=90, range=(0.0, np.pi / 2), weights=weight)
    smoothed = np.convolve(np.concatenate([histogram[-2:], histogram, histogram[:2]]), np.ones(5), "valid")
    return float((np.argmax(smoothed) + 0.5) * np.pi / 180.0)


def _robust_box(points: np.ndarray, angle: float) -> np.ndarray:
    """The print block's rectangle with sides along ``angle`` (radians, modulo 90 degrees),
    side 0-1 along its length (print runs along the card's). The extent along each axis comes
    from percentiles of the points, which ignore a few stray ones."""
    u_dir = np.array([np.cos(angle), np.sin(angle)])
    v_dir = np.array([-u_dir[1], u_dir[0]])
    u = points @ u_dir
    v = points @ v_dir
    u0, u1 = np.percentile(u, [EXTENT_PERCENTILE, 100.0 - EXTENT_PERCENTILE])
    v0, v1 = np.percentile(v, [EXTENT_PERCENTILE, 100.0 - EXTENT_PERCENTILE])
    box = np.array(
        [u0 * u_dir + v0 * v_dir, u1 * u_dir + v0 * v_dir, u1 * u_dir + v1 * v_dir, u0 * u_dir + v1 * v_dir]
    )
    ordered = order_clockwise(box)
    if np.linalg.norm(ordered[1] - ordered[0]) < np.linalg.norm(ordered[2] - ordered[1]):
        ordered = np.roll(ordered, -1, axis=0)
    return ordered


def _block_angles(points: np.ndarray) -> list[float]:
    """Directions the card may lie along: the minimum-area rectangle's, and the one the strokes'
    edges mostly follow (the rectangle can lie diagonally over a sparse block)."""
    (_cx, _cy), (_w, _h), degrees = cv2.minAreaRect(points)
    angles = [float(np.radians(degrees)) % (np.pi / 2)]
    strokes = _stroke_angle(points)
    gap = abs(strokes - angles[0])
    if min(gap, np.pi / 2 - gap) > np.radians(3.0):
        angles.append(strokes)
    return angles


def print_block_quads(
    img: np.ndarray, small: np.ndarray | None = None, factor: float = 1.0
) -> list[np.ndarray]:
    """Card quads (TL, TR, BR, BL, in ``img`` pixels) implied by the print block, one per reading.

    ``small`` (with ``factor`` photo pixels per pixel) is the locating pass's down-scaled copy,
    reused when given.
    """
    if small is None:
        small, factor = shrink_for_locating(img)
    points = _print_block(_ink_mask(small))
    if points is None:
        return []
    quads = []
    for box, turned in ((_robust_box(points, a), t) for a in _block_angles(points) for t in (False, True)):
        corners = np.roll(box, 2, axis=0) if turned else box
        origin, u_end, v_end = corners[0], corners[1], corners[3]
        u_axis, v_axis = u_end - origin, v_end - origin
        for x0, y0, x1, y1 in PRINT_EXTENT_MM.values():
            # Block corner (0,0) is print (x0,y0) mm and (1,1) is (x1,y1): extrapolate to the card.
            mm_x = np.array([0.0, CARD_MM[0], CARD_MM[0], 0.0])
            mm_y = np.array([0.0, 0.0, CARD_MM[1], CARD_MM[1]])
            u = ((mm_x - x0) / (x1 - x0))[:, None]
            v = ((mm_y - y0) / (y1 - y0))[:, None]
            card = origin[None, :] + u * u_axis[None, :] + v * v_axis[None, :]
            quads.append((card + 0.5) * factor - 0.5)
    return quads


REGISTER_MARGIN_MM = 10  # how far around the placed card the print is looked for
REGISTER_SCALES = (0.9, 0.95, 1.0, 1.05, 1.1)


def register_to_layout(small: np.ndarray, quad: np.ndarray, side: Side) -> tuple[np.ndarray, float]:
    """Move and scale a card placed from its print until the print fits ``side``'s layout best.

    ``quad`` (TL, TR, BR, BL of the upright card, as ``orient_card`` returns it) is on
    ``small``. The darkness of the print is sampled on a 1 mm grid over the card and a margin
    around it, and the layout template is slid over it at a few sizes;
    returns the best-fitting quad (same order) and its normalised correlation.
    """
    margin = float(REGISTER_MARGIN_MM)
    width_mm, height_mm = CARD_MM[0] + 2 * margin, CARD_MM[1] + 2 * margin
    pixels_per_mm = 2
    size = (round(width_mm * pixels_per_mm), round(height_mm * pixels_per_mm))
    card_mm = np.array([[0, 0], [CARD_MM[0], 0], [CARD_MM[0], CARD_MM[1]], [0, CARD_MM[1]]], np.float64)
    to_photo = cv2.getPerspectiveTransform(card_mm.astype(np.float32), quad.astype(np.float32))
    frame = np.array([[-margin, -margin], [CARD_MM[0] + margin, -margin],
                      [CARD_MM[0] + margin, CARD_MM[1] + margin], [-margin, CARD_MM[1] + margin]])
    frame_photo = cv2.perspectiveTransform(frame.reshape(-1, 1, 2), to_photo).reshape(-1, 2)
    target = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    to_grid = cv2.getPerspectiveTransform(frame_photo.astype(np.float32), target)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    patch = cv2.warpPerspective(grey, to_grid, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    background = cv2.GaussianBlur(cv2.medianBlur(patch, 51).astype(np.float32), (0, 0), 3.0)
    dark = np.clip((background - patch.astype(np.float32)) / 90.0, 0.0, 1.0)
    grid = cv2.resize(dark, (round(width_mm), round(height_mm)), interpolation=cv2.INTER_AREA)
    template = templates()[(side, False)]
    best_score = -1.0
    best_rect: tuple[float, float, float] = (margin, margin, 1.0)  # x, y (mm in the grid), scale
    for scale in REGISTER_SCALES:
        scaled_size = (round(GRID_W * scale), round(GRID_H * scale))
        scaled = cv2.resize(template, scaled_size, interpolation=cv2.INTER_AREA)
        if scaled.shape[0] >= grid.shape[0] or scaled.shape[1] >= grid.shape[1]:
            continue
        result = cv2.matchTemplate(grid, scaled, cv2.TM_CCOEFF_NORMED)
        _low, score, _where, (x, y) = cv2.minMaxLoc(result)
        if score > best_score:
            best_score, best_rect = float(score), (float(x), float(y), scale)
    left, top, size_factor = best_rect
    right, bottom = left + CARD_MM[0] * size_factor, top + CARD_MM[1] * size_factor
    placed = np.array([[left, top], [right, top], [right, bottom], [left, bottom]]) - margin
    moved = cv2.perspectiveTransform(placed.reshape(-1, 1, 2), to_photo).reshape(-1, 2)
    return moved, best_score

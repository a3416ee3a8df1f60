"""Place each field's band from where its label is printed on this card.

Every card prints its labels (姓名 性别 民族 出生 住址 公民身份号码; 签发机关 有效期限) in a
colour and each value in black on the label's line, to its right. Printers shift the text block a
millimetre or three and a row's label column may sit further left; a card cut at its edge, or
placed from its print, is straightened a few millimetres off. Fixed bands then cut a value's first
characters or miss it. The labels move with the print, so each band is moved to its label's line
and starts just after the label's end.

Where a label is not seen (a grey photocopy prints it as black as the values; glare; a thumb),
its field moves as the labels that were seen moved, and with none seen, as the row profile
registered it (``read.register_rows``). Whether a card is placed the right side the right way
up is still told by its labels on such a copy: by print of a label's size, set apart from its
value, where the layout puts a label (``labels_in_place``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from idcard_ocr.pipeline.layout import FieldRegion, Label, labels_for
from idcard_ocr.pipeline.types import Side

Box = tuple[int, int, int, int]

_BACKGROUND_KERNEL = np.ones((15, 15), np.uint8)  # wider than a label's stroke: its max is the paper
MIN_LABEL_CONTRAST = 35  # grey levels darker than the paper, in the darkest channel
# A stroke whose brightest channel darkens less than this share of its darkest one is coloured
# (label blue keeps its blue channel bright); black value print darkens all three
# alike. Judged over each stroke, not each pixel: JPEG tints a black stroke's edges, and a washed
# out photo leaves the labels' blue pale (whole strokes at 0.7-0.85, values at 0.95-1.05).
MAX_COLOUR_RATIO = 0.88
MIN_SPECK = 5  # px: smaller blobs are grain, not strokes
# Where print is told from paper by darkness alone (a colourless copy), (contrast, least blob
# area): a copy's grain and toner dots run larger than a photo's grain; labels that were coloured
# come out pale on a copy, so a second look takes paler print in larger blobs.
INK_LOOKS = ((MIN_LABEL_CONTRAST, 12), (20, 20))
MAX_STROKE_HEIGHT = 45  # px: taller blobs (the portrait, the emblem) are no label
# Around where the labels as a whole put each one: a row's label column may sit ~3 mm further
# left than the others; lines move less against each other.
SEARCH_X, SEARCH_Y = 45, 25
# The labels as a whole are first fitted to the layout's: shifted up to FIT_SHIFT px and scaled
# by these factors on each axis (a card straightened from a quad a few mm off, print shifted on
# the card), on a quarter-resolution mask.
FIT_SHIFT = 80
FIT_SCALES = (0.88, 0.94, 1.0, 1.06, 1.12)
FIT_STEP = 4  # px per cell of the fit
MIN_FIT_GAIN = 0.05  # the fit must beat the layout as it stands by this much to move it
LABEL_GAP = 30  # px: blank runs up to this long stay inside a label (姓 名 are printed apart)
ROW_GAP = 3
# The found label's height and width, as shares of the expected ones: label fonts vary by about
# a tenth and letter spacing more; a smaller or larger run is something else.
HEIGHT_RANGE = (0.75, 1.6)
WIDTH_RANGE = (0.8, 1.3)
VALUE_GAP = 8  # px between a label's end and where its value's band starts
MAX_RIGHT_GROWTH = 30  # px a band may grow to the right when the print sits right of the layout
MIN_LABELS_FOR_BLOCK = 2  # labels seen that tell how the whole print block moved
# Labels found where the layout puts them must sit on their lines alike (to this many px): on a
# card straightened a few mm off, the search can take a neighbouring row's label for one.
MAX_ROW_SPREAD = 12
# A card whose channels differ by at most this much on 95% of its pixels has no colour to tell its
# labels from its values by: a photocopy's or grey scan's are 0-2, a colour card's 14-70 (its
# tint, its pattern), a colour photo with a cast 3-20 but spread alike over the whole card.
COLOURLESS_SPREAD = 8


@dataclass(frozen=True)
class FoundLabel:
    """Where a label was expected (after the row registration) and where its ink is."""

    label: Label
    box: Box


def _darkness(channel: np.ndarray) -> np.ndarray:
    """How much darker than the paper around it each pixel of ``channel`` is."""
    background = cv2.blur(cv2.dilate(channel, _BACKGROUND_KERNEL), (9, 9))
    return cv2.subtract(background, channel)


def _strokes(deepest: np.ndarray, contrast: int, min_area: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blobs at least ``contrast`` darker than the paper (``deepest``: ``_darkness`` of the
    darkest channel): their label image, stats, and which are stroke-sized (at least
    ``min_area`` px, no taller than ``MAX_STROKE_HEIGHT``; blob 0, the paper, never)."""
    dark = np.where(deepest >= contrast, 255, 0).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    keep = (stats[:, cv2.CC_STAT_AREA] >= min_area) & (stats[:, cv2.CC_STAT_HEIGHT] <= MAX_STROKE_HEIGHT)
    keep[0] = False
    return labels, stats, keep


def label_mask(card: np.ndarray) -> np.ndarray:
    """Coloured (label) print: strokes much darker than the paper in some channel, not in all alike."""
    blue, green, red = cv2.split(card)
    deepest = _darkness(cv2.min(cv2.min(blue, green), red))
    brightest = _darkness(cv2.max(cv2.max(blue, green), red))
    labels, stats, keep = _strokes(deepest, MIN_LABEL_CONTRAST, MIN_SPECK)
    count = len(stats)
    if count <= 1:
        return np.zeros(deepest.shape, bool)
    inside = labels > 0
    flat = labels[inside]
    deep_sum = np.maximum(np.bincount(flat, deepest[inside], count), 1.0)
    ratio = np.bincount(flat, brightest[inside], count) / deep_sum
    return np.asarray((keep & (ratio < MAX_COLOUR_RATIO))[labels])


def ink_mask(card: np.ndarray, contrast: int, min_area: int) -> np.ndarray:
    """All print, whatever its colour: blobs at least ``contrast`` grey levels darker than the
    paper and of at least ``min_area`` px (a copy's grain and toner dots are smaller)."""
    deepest = _darkness(cv2.min(cv2.min(card[:, :, 0], card[:, :, 1]), card[:, :, 2]))
    labels, _, keep = _strokes(deepest, contrast, min_area)
    return np.asarray(keep[labels])


def colourless(card: np.ndarray) -> bool:
    """Whether the card shows no colour at all (a photocopy, a grey scan): its channels differ by
    at most ``COLOURLESS_SPREAD`` grey levels on all but a few of its pixels."""
    sample = card[::4, ::4].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    return float(np.percentile(spread, 95)) <= COLOURLESS_SPREAD


def _runs(active: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """[start, end) ranges where ``active`` holds, joining runs split by at most ``max_gap``."""
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > max_gap + 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]]) + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def find_label(mask: np.ndarray, expected: Box, apart: bool = False) -> Box | None:
    """The ink box of the label expected at ``expected`` (searched around it), or None.
    ``apart``: only ink with blank all round it inside the search window counts (a mask of all
    print: a label is set apart from its value and the rows above and below; print running on
    past the window is some other line)."""
    ex0, ey0, ex1, ey1 = expected
    height, width = ey1 - ey0, ex1 - ex0
    x0, y0 = max(0, ex0 - SEARCH_X), max(0, ey0 - SEARCH_Y)
    x1, y1 = min(mask.shape[1], ex1 + SEARCH_X), min(mask.shape[0], ey1 + SEARCH_Y)
    window = mask[y0:y1, x0:x1]
    rows = [
        r for r in _runs(window.sum(axis=1) > 0, ROW_GAP)
        if HEIGHT_RANGE[0] * height <= r[1] - r[0] <= HEIGHT_RANGE[1] * height
        and not (apart and (r[0] == 0 or r[1] == window.shape[0]))
    ]
    if not rows:
        return None
    centre_y = (ey0 + ey1) / 2 - y0
    top, bottom = min(rows, key=lambda r: abs((r[0] + r[1]) / 2 - centre_y))
    groups = [
        g for g in _runs(window[top:bottom].sum(axis=0) > 0, LABEL_GAP)
        if WIDTH_RANGE[0] * width <= g[1] - g[0] <= WIDTH_RANGE[1] * width
        and not (apart and (g[0] == 0 or g[1] == window.shape[1]))
    ]
    if not groups:
        return None
    left, right = min(groups, key=lambda g: abs(g[0] - (ex0 - x0)))
    return (x0 + left, y0 + top, x0 + right, y0 + bottom)


def _box_density(cumulative: np.ndarray, boxes: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Mean of the mask inside each box moved by every (dy, dx) in ``shifts`` x ``shifts``,
    summed over the boxes: (len(shifts), len(shifts)). ``cumulative`` is the mask's summed-area
    table; boxes are (x0, y0, x1, y1) in its cells."""
    height, width = cumulative.shape[0] - 1, cumulative.shape[1] - 1
    x0, y0, x1, y1 = (boxes[:, i, None] + shifts[None, :] for i in range(4))  # (boxes, shifts)
    left, right = np.clip(x0, 0, width)[:, None, :], np.clip(x1, 0, width)[:, None, :]
    top, bottom = np.clip(y0, 0, height)[:, :, None], np.clip(y1, 0, height)[:, :, None]
    inside = cumulative[bottom, right] - cumulative[top, right]
    inside = inside - cumulative[bottom, left] + cumulative[top, left]
    areas = np.maximum(1, (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    return np.asarray((inside / areas[:, None, None]).sum(axis=0))


def fit_labels(mask: np.ndarray, side: Side) -> tuple[float, float, float, float]:
    """``(sx, dx, sy, dy)`` such that a layout label at (x, y) lies at (sx x + dx, sy y + dy) on
    the card: the move and stretch that best lays all the layout's label boxes on label ink.
    (1, 0, 1, 0) when nothing fits clearly better than the layout as it stands."""
    fraction = 1.0 / FIT_STEP
    small = cv2.resize(mask.astype(np.float32), None, fx=fraction, fy=fraction, interpolation=cv2.INTER_AREA)
    cumulative = cv2.integral(small)
    reach = FIT_SHIFT // FIT_STEP
    shifts = np.arange(-reach, reach + 1)
    boxes = np.array([label.box for label in labels_for(side)], np.float64) / FIT_STEP
    best, best_score, identity = (1.0, 0.0, 1.0, 0.0), -1.0, 0.0
    for sx in FIT_SCALES:
        for sy in FIT_SCALES:
            scaled = np.round(boxes * [sx, sy, sx, sy]).astype(int)
            score = _box_density(cumulative, scaled, shifts)
            if sx == sy == 1.0:
                identity = float(score[reach, reach])
            row, col = np.unravel_index(int(np.argmax(score)), score.shape)
            if score[row, col] > best_score:
                best_score = float(score[row, col])
                best = (sx, float(shifts[col] * FIT_STEP), sy, float(shifts[row] * FIT_STEP))
    return best if best_score > identity + MIN_FIT_GAIN else (1.0, 0.0, 1.0, 0.0)


def _found_at(
    mask: np.ndarray, side: Side, fit: tuple[float, float, float, float], apart: bool = False
) -> list[FoundLabel]:
    """The labels of ``side`` found around where ``fit`` (sx, dx, sy, dy) puts the layout's."""
    sx, dx, sy, dy = fit
    found = []
    for label in labels_for(side):
        x0, y0, x1, y1 = label.box
        expected = (round(x0 * sx + dx), round(y0 * sy + dy), round(x1 * sx + dx), round(y1 * sy + dy))
        box = find_label(mask, expected, apart)
        if box is not None:
            found.append(FoundLabel(label, box))
    return found


def _row_spread(found: list[FoundLabel]) -> float:
    """How far apart (px) the found labels' vertical offsets from the layout's lie."""
    offsets = [(f.box[1] + f.box[3] - f.label.box[1] - f.label.box[3]) / 2.0 for f in found]
    return max(offsets) - min(offsets) if offsets else 0.0


def find_labels(card: np.ndarray, side: Side) -> list[FoundLabel]:
    """The labels of ``side`` seen on ``card``. Each is looked for around where the layout puts
    it; when more than one is missing there, or those found do not sit alike on their lines,
    around where the labels fitted as a whole (``fit_labels``) put it; the search that finds
    more wins, and of two that find as many, the one whose labels sit alike on their lines."""
    # Only the part of the card the labels can reach is looked at (a third of its cost).
    reach_x = max(label.box[2] for label in labels_for(side)) * max(FIT_SCALES) + FIT_SHIFT + SEARCH_X
    mask = np.zeros(card.shape[:2], bool)
    mask[:, : round(reach_x)] = label_mask(card[:, : round(reach_x)])
    found = _found_at(mask, side, (1.0, 0.0, 1.0, 0.0))
    if len(found) >= len(labels_for(side)) - 1 and _row_spread(found) <= MAX_ROW_SPREAD:
        return found
    fit = fit_labels(mask, side)
    if fit == (1.0, 0.0, 1.0, 0.0):
        return found
    refitted = _found_at(mask, side, fit)
    key = (len(refitted), -_row_spread(refitted)) > (len(found), -_row_spread(found))
    return refitted if key else found


def labels_in_place(card: np.ndarray, side: Side) -> list[FoundLabel]:
    """The labels of ``side`` seen on ``card`` where its layout puts them (``find_labels``); on a
    colourless card, where too few stand out by their colour, the labels are print of a label's
    size set apart from its value, found around the layout's places (not fitted: any print can
    be fitted to). For telling whether a card is placed the right side the right way up: on one
    turned half-way or taken for the other side, a label's place holds no print of its size."""
    found = find_labels(card, side)
    wanted = max(MIN_LABELS_FOR_BLOCK, len(labels_for(side)) - 1)
    if len(found) >= wanted or not colourless(card):
        return found
    reach_x = round(max(label.box[2] for label in labels_for(side)) + 2 * SEARCH_X)
    for contrast, min_area in INK_LOOKS:
        mask = np.zeros(card.shape[:2], bool)
        mask[:, :reach_x] = ink_mask(card[:, :reach_x], contrast, min_area)
        printed = _found_at(mask, side, (1.0, 0.0, 1.0, 0.0), apart=True)
        found = printed if len(printed) > len(found) else found
        if len(found) >= wanted:
            break
    return found


def _moved(
    region: FieldRegion, dx: float, dy: float, start: int | None, block_dx: float | None = None
) -> FieldRegion:
    """``region``'s band moved by (dx, dy), starting at ``start`` when its label's end is known.

    Its right end is where the value's room ends (the portrait's edge, the card's), which moves
    with the whole print block, not with one row's label: a row printed left of the others still
    has its value run on to the portrait. So the band grows by the larger of the row's own shift
    and the block's (``block_dx``, the labels' median), up to ``MAX_RIGHT_GROWTH``.
    """
    x0, y0, x1, y1 = region.band
    left = start if start is not None else round(x0 + dx)
    grow = dx if block_dx is None else max(dx, block_dx)
    right = round(x1 + min(max(grow, 0.0), MAX_RIGHT_GROWTH))
    value_x = None if region.value_x is None else max(left, round(region.value_x + dx))
    return replace(region, band=(left, round(y0 + dy), max(right, left + 1), round(y1 + dy)), value_x=value_x)


def label_registered(
    regions: tuple[FieldRegion, ...], found: list[FoundLabel], fallback: tuple[FieldRegion, ...] | None = None
) -> tuple[FieldRegion, ...]:
    """Each region moved to its label's line, starting after the label; a region whose label was
    not seen moves as the seen ones did (their median). With fewer than two labels seen, every
    region is taken from ``fallback`` (the row registration's bands; the layout's when None)."""
    shifts = {}
    # A label seen alone may be anything coloured near where one was looked for: labels place
    # the bands only when at least two agree to be there.
    for item in found if len(found) >= MIN_LABELS_FOR_BLOCK else []:
        ex0, ey0, ex1, ey1 = item.label.box
        bx0, by0, bx1, by1 = item.box
        # A label partly lost (glare, a pale stroke) ends early: its value starts no sooner
        # than the whole label's width after its start.
        start = max(bx1, bx0 + ex1 - ex0) + VALUE_GAP
        shifts[item.label.field] = (bx0 - ex0, (by0 + by1 - ey0 - ey1) / 2.0, start)
    block = None
    if len(shifts) >= MIN_LABELS_FOR_BLOCK:
        values = np.array([(dx, dy) for dx, dy, _ in shifts.values()])
        block = (float(np.median(values[:, 0])), float(np.median(values[:, 1])))
    result = []
    for index, region in enumerate(regions):
        if region.key in shifts:
            dx, dy, start = shifts[region.key]
            result.append(_moved(region, dx, dy, start, None if block is None else block[0]))
        elif block is not None:
            result.append(_moved(region, block[0], block[1], None))
        else:
            result.append(region if fallback is None else fallback[index])
    return tuple(result)

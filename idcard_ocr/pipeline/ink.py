"""Finding the value ink on a straightened card: which pixels are dark value print, and where
its text lines and their columns lie.

Values are printed in black, labels and the background pattern in colour; the masks here keep
the black print only, and only blobs the size of (parts of) characters.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from idcard_ocr.pipeline.layout import ADDRESS_LINE_PITCH

TailPrint = Literal["none", "washed", "faint"]

MIN_INK_CONTRAST = 20  # grey levels darker than the local background to count as ink at all
MIN_TEXT_CONTRAST = 45  # the darkest stroke nearby must reach this for anything there to be text
# In a value's band whose darkest print is faint all along (a light face printed grey, a shadow
# over the row), print this share as dark as that darkest stroke is text too, down to the floor.
BAND_TEXT_SHARE = 0.6
MIN_FAINT_TEXT = 25
_BACKGROUND_KERNEL = np.ones((15, 15), np.uint8)  # wider than any stroke: its max is the paper
_NEARBY_KERNEL = np.ones((41, 41), np.uint8)  # about a character and a half
# How far a pixel is raised towards the paper by its colourfulness beyond the paper's when the
# values are read: by twice it, a faint red stamp stroke comes out as paper.
COLOUR_LIFT = 2.0
PAPER_COLOUR_KERNEL = 15  # px, odd: wider than a stroke, so its median is the paper around it
MIN_NEUTRAL_RATIO = 0.55  # contrast in the brightest channel / in the darkest: ~1 black, ~0.3 blue
# Character-sized faint ink after a line's crop, in text heights of pixels (a faint character
# holds three or more), that counts as print going on there.
MIN_TAIL_INK = 1.5
# Grey levels by which a glare spot brightens the paper where it washes print out; print that is
# faint on the line's own paper was printed faint (a stamp), not washed out.
MIN_GLARE_LIFT = 12
MAX_GLYPH_HEIGHT = 1.6  # in expected text heights: taller ink is not part of a text line
MAX_GLYPH_WIDTH = 3.0
MIN_GLYPH_AREA = 5  # px: smaller blobs are specks, not strokes
# Characters run together by blur: a blob at least this tall (in text heights) and this solid
# (ink / its bounding box) is a piece of a text line however long; a rule or an edge is thin.
MIN_MERGED_HEIGHT = 0.6
MIN_MERGED_FILL = 0.3
# Rows at the ends of a too-tall text run holding less ink than this share of its densest row
# are trimmed off: text is dense top to bottom, a stray tail is not.
MIN_ROW_SHARE = 0.15
TRIM_ABOVE = 1.3  # in text heights: only runs taller than this are trimmed
# Rows of a line may hold almost no ink: a thin-stroked 汉 has three rows in a row with a pixel
# or none between its dots and its lower half. Blank runs this long stay inside one line
# (lines are 14 px or more apart).
ROW_GAP = 3
# Value print's strokes are thin beside its characters' height; a stamp's (``复印无效`` across a
# copy) are bold. Ink that stays after an opening this wide (in text heights) is such a stroke.
MIN_BOLD_STROKE = 0.2


def _darkness(channel: np.ndarray) -> np.ndarray:
    """How much darker than its local background each pixel of one channel is."""
    value = cv2.GaussianBlur(channel, (3, 3), 0)
    background = cv2.blur(cv2.dilate(value, _BACKGROUND_KERNEL), (9, 9))
    return cv2.subtract(background, value)  # saturating: never below 0


def _neutral_darkness(region_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How much darker than the local paper each pixel is (in the brightest channel), and where
    that darkness is neutral enough to be black value print (a 0/255 mask).

    The brightest channel is used because black value text is dark in all three while the
    card's coloured labels and background pattern stay bright in at least one. Labels are
    printed in colour, values in black: a black stroke darkens every channel about equally, a
    blue one mostly the red and green. Comparing with the darkest channel's contrast (rather
    than measuring hue) keeps working under a colour cast or a tinted card.
    """
    # (OpenCV's element-wise operations: several times faster than numpy on these small images.)
    blue, green, red = cv2.split(region_bgr)
    darkness = _darkness(cv2.max(cv2.max(blue, green), red))
    deepest = _darkness(cv2.min(cv2.min(blue, green), red))
    neutral = cv2.compare(darkness, cv2.convertScaleAbs(deepest, alpha=MIN_NEUTRAL_RATIO), cv2.CMP_GE)
    return darkness, neutral


def value_print(crop_bgr: np.ndarray) -> np.ndarray:
    """``crop_bgr`` as the recogniser should read it: coloured print lifted to the paper, in grey.

    Values are printed in black, dark and colourless; a stamp or watermark across them
    (``复印无效`` in red), the labels and the background pattern are printed in colour. Each
    pixel becomes its brightest channel (coloured ink is bright in at least one), raised by how
    much more colourful it is than the paper around it (brightest minus darkest channel, against
    its neighbourhood's median) but never above that paper: even a faded stamp goes to the
    paper, while the values, no more colourful than their paper, keep their strokes under a
    tint, a colour cast or a glare. Read as printed, a half-transparent stamp's characters come
    back inside the value.
    """
    if crop_bgr.ndim != 3 or crop_bgr.size == 0:
        return crop_bgr
    blue, green, red = cv2.split(crop_bgr)
    brightest = cv2.max(cv2.max(blue, green), red)
    colour = cv2.subtract(brightest, cv2.min(cv2.min(blue, green), red))
    extra = cv2.subtract(colour, cv2.medianBlur(colour, PAPER_COLOUR_KERNEL))  # saturating at 0
    lifted = cv2.addWeighted(brightest, 1.0, extra, COLOUR_LIFT, 0)  # saturating at 255
    lifted = cv2.min(lifted, cv2.dilate(brightest, _BACKGROUND_KERNEL))  # a stroke, not a highlight
    return cv2.cvtColor(lifted, cv2.COLOR_GRAY2BGR)


def ink_mask(region_bgr: np.ndarray, band_relative: bool = False) -> np.ndarray:
    """Pixels of dark (value) ink: much darker than the local background in every channel.

    The threshold is half the darkest stroke *nearby* rather than in the whole band, so
    characters washed out by a glare spot still count while their unwashed neighbours are much
    darker. With ``band_relative`` (``region_bgr`` is one value's band), the bar for being text
    at all is also lowered to a share of the band's darkest neutral stroke: a value printed
    light all along (a grey scan, a shadow over its row) is no fainter than its own print, and
    its lightest characters must not drop off the line's end for want of a dark one nearby.
    """
    darkness, neutral = _neutral_darkness(region_bgr)
    local_peak = cv2.dilate(darkness, _NEARBY_KERNEL)
    threshold = np.maximum(cv2.convertScaleAbs(local_peak, alpha=0.45), np.uint8(MIN_INK_CONTRAST))
    ink = cv2.compare(darkness, threshold, cv2.CMP_GT)
    text_bar = MIN_TEXT_CONTRAST
    if band_relative and darkness.size:
        darkest = float(cv2.minMaxLoc(darkness, mask=neutral)[1])
        text_bar = min(MIN_TEXT_CONTRAST, max(MIN_FAINT_TEXT, round(BAND_TEXT_SHARE * darkest)))
    return (cv2.bitwise_and(ink, neutral) > 0) & (local_peak >= text_bar)


def without_bold_strokes(mask: np.ndarray, text_height: int) -> np.ndarray:
    """``mask`` less the ink of strokes too bold for value print.

    On a grey copy a stamp prints as neutral as the values, and its characters, larger than
    theirs, join a value line's rows to the next: the line is then found too tall or cut short.
    Its strokes are several times as wide as the values', which an opening keeps and theirs
    does not (the values' specks it keeps are too few to matter).
    """
    size = max(3, round(MIN_BOLD_STROKE * text_height) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    bold = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return mask & (bold == 0)


def faint_ink_mask(region_bgr: np.ndarray, min_contrast: int = MIN_INK_CONTRAST) -> np.ndarray:
    """Pixels of neutral (black, not blue) print at least ``min_contrast`` darker than the paper
    around them, however faint: no comparison with darker print nearby. For looking where the
    values' dark print has already ended (print a glare spot left light grey)."""
    darkness, neutral = _neutral_darkness(region_bgr)
    return (darkness >= min_contrast) & (neutral > 0)


def _paper(region_bgr: np.ndarray) -> np.ndarray:
    """The paper's brightness around each pixel (strokes closed over by their surroundings)."""
    blue, green, red = cv2.split(region_bgr)
    return cv2.dilate(cv2.max(cv2.max(blue, green), red), _BACKGROUND_KERNEL)


def tail_print(card: np.ndarray, box: tuple[int, int, int, int], x_end: int, text_height: int) -> TailPrint:
    """What is printed on ``card`` between the right end of ``box`` (x0, y0, x1, y1: a line's
    crop) and ``x_end`` (its band's end), fainter than the line's black print.

    ``"washed"``: faint neutral print on paper brighter than the line's own, where a glare spot
    washed the value's last characters light grey. ``"faint"``: faint print on the line's own
    paper: printed lighter than the values (a grey stamp or watermark across the card, the
    pattern), not the value's. ``"none"``: nothing there that could be characters.
    """
    x0, y0, x1, y1 = box
    if x_end - x1 < text_height // 2 or x1 <= x0 or y1 <= y0:
        return "none"
    tail = card[y0:y1, x1:x_end]
    mask = text_sized(faint_ink_mask(tail), text_height)
    if int(mask.sum()) < MIN_TAIL_INK * text_height:
        return "none"
    paper_tail = float(np.median(_paper(tail)[mask]))
    paper_line = float(np.median(_paper(card[y0:y1, x0:x1])))
    return "washed" if paper_tail >= paper_line + MIN_GLARE_LIFT else "faint"


def text_sized(mask: np.ndarray, text_height: int, merged_text: bool = False) -> np.ndarray:
    """Only the ink blobs small enough to be (parts of) characters.

    Drops what is taller than a line or much longer than a character without being a line of
    text: the edge of the card against a dark table, the portrait, a finger, a printed rule.
    With ``merged_text``, a long blob of a text line's height and as solid as print is kept:
    blur runs neighbouring characters together, and dropping them cuts a line's tail.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    areas = stats[:, cv2.CC_STAT_AREA]
    narrow = widths <= MAX_GLYPH_WIDTH * text_height
    if merged_text:
        line_like = (heights >= MIN_MERGED_HEIGHT * text_height) & (
            areas >= MIN_MERGED_FILL * heights * widths
        )
        narrow |= line_like
    keep = (heights <= MAX_GLYPH_HEIGHT * text_height) & narrow
    keep &= areas >= MIN_GLYPH_AREA  # toner specks, sensor noise
    keep[0] = False  # the background label
    return np.asarray(keep[labels])


def _runs(active: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """Index ranges [start, end) where ``active`` holds, joining runs split by <= max_gap misses."""
    runs: list[tuple[int, int]] = []
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return runs
    start = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev > max_gap + 1:
            runs.append((start, prev + 1))
            start = i
        prev = i
    runs.append((start, prev + 1))
    return runs


def text_rows(mask: np.ndarray, text_height: int) -> list[tuple[int, int]]:
    """Row ranges that hold a text line (tall runs are split at the expected line pitch)."""
    width = mask.shape[1]
    counts = mask.sum(axis=1)
    # A line may hold one character (the last address line's 号): a few pixels a row is enough,
    # specks having been dropped already.
    rows = _runs(counts > max(1, 0.004 * width), max_gap=ROW_GAP)
    lines: list[tuple[int, int]] = []
    for run_top, run_bottom in rows:
        top, bottom = run_top, run_bottom
        if bottom - top > TRIM_ABOVE * text_height:
            # Taller than a line: a line of characters is dense across its height, and a thin
            # tail above or below it (the portrait's shoulder at the band's edge) is not part of it.
            dense = np.flatnonzero(counts[top:bottom] >= MIN_ROW_SHARE * counts[top:bottom].max())
            top, bottom = run_top + int(dense[0]), run_top + int(dense[-1]) + 1
        height = bottom - top
        if height < 0.35 * text_height:
            continue
        if height > 1.8 * text_height:
            parts = max(1, round(height / ADDRESS_LINE_PITCH))
            step = height / parts
            lines.extend((top + round(i * step), top + round((i + 1) * step)) for i in range(parts))
        else:
            lines.append((top, bottom))
    return lines


def text_columns(
    mask: np.ndarray, text_height: int, single_char: bool = False, max_gap: float = 1.5
) -> tuple[int, int] | None:
    """Column range of the line's ink, from its first substantial glyph group rightwards.

    Groups further than ``max_gap`` character heights from the text so far (a stray mark, the
    portrait's edge) end the line.
    """
    counts = mask.sum(axis=0)
    groups = [g for g in _runs(counts > 0, max_gap=int(0.6 * text_height)) if counts[g[0] : g[1]].sum() > 12]
    if not groups:
        return None
    start, end = groups[0]
    if single_char:
        return start, end
    for g_start, g_end in groups[1:]:
        if g_start - end > max_gap * text_height:
            break
        end = g_end
    return start, end

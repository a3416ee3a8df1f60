"""Whether a card's value print is sharp enough for free text read from it to be vouched for.

A photo no one could read (a card a few hundred pixels wide, shrunk and enlarged again, or
blurred past its characters' strokes) still gives the recogniser something to read, and it can
be sure of a wrong character: a name or an address has no check character to catch it. On print
this soft such values are returned but not marked valid; values with a check (the number, dates,
the term) keep it.

The measure is scale-free, taken on the straightened card over the lines the values were read
from: how steep the print's steepest edges are against the contrast between ink and paper. A
sharp edge goes from paper to ink within a pixel or two of the canonical card; print blurred or
enlarged from a few pixels takes several, whatever the card's size. Each line gives the 99th
percentile of its gradient over its 2nd-98th percentile spread of grey; the card gives the median
over its lines, so one line under glare or a stamp does not decide it.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

Box = tuple[int, int, int, int]

# Below this the print is too soft to vouch for free text read from it. Chosen on 600 photos of
# the tuned card families (seeds 31 and 77) against the generator's own legibility record: 3 of
# 265 legible fronts and 4 of 275 legible backs lie below it, and 24 of the 60 illegible photos
# (one of those fronts carried a wrong name marked valid).
MIN_PRINT_SHARPNESS = 0.18
MIN_LINE_PIXELS = 100  # a line crop smaller than this says nothing
MIN_LINE_SPREAD = 1.0  # grey levels: below it a crop is blank
SOBEL_SCALE = 8.0  # a 3x3 Sobel's response to a ramp of one grey level per pixel


def print_sharpness(card: np.ndarray, boxes: Iterable[Box]) -> float | None:
    """The median over ``boxes`` (x0, y0, x1, y1 on ``card``) of each line's steepest edges
    (99th percentile of the gradient, grey levels per pixel) over its ink-to-paper spread; None
    when no box holds enough of the card to judge."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
    values = []
    for x0, y0, x1, y1 in boxes:
        crop = grey[max(y0, 0) : y1, max(x0, 0) : x1]
        if crop.size < MIN_LINE_PIXELS:
            continue
        pixels = crop.astype(np.float32)
        gx = cv2.Sobel(pixels, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(pixels, cv2.CV_32F, 0, 1, ksize=3)
        low, high = _grey_percentiles(crop, (2.0, 98.0))
        steep = _percentile(cv2.magnitude(gx, gy).ravel(), 99.0) / SOBEL_SCALE  # per pixel
        values.append(steep / max(high - low, MIN_LINE_SPREAD))
    return float(np.median(values)) if values else None


def _percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (linear between the two nearest ranks) by a partial sort."""
    at = q / 100.0 * (values.size - 1)
    below = int(at)
    above = min(below + 1, values.size - 1)
    ranked = np.partition(values, (below, above))
    return float(ranked[below]) + (at - below) * (float(ranked[above]) - float(ranked[below]))


def _grey_percentiles(crop: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """``np.percentile(crop, qs)`` of an 8-bit image, from its histogram (no sort)."""
    counts = np.cumsum(np.bincount(crop.ravel(), minlength=256))
    found = []
    for q in qs:
        at = q / 100.0 * (crop.size - 1)
        below = int(at)
        low = int(np.searchsorted(counts, below, side="right"))  # the value of rank ``below``
        high = int(np.searchsorted(counts, min(below + 1, crop.size - 1), side="right"))
        found.append(low + (at - below) * (high - low))
    return tuple(found)


def too_soft(sharpness: float | None) -> bool:
    """Whether print of this sharpness is too soft for free text read from it to be vouched for."""
    return sharpness is not None and sharpness < MIN_PRINT_SHARPNESS

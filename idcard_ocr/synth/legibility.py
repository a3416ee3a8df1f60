"""Whether a person could read a synthetic photo's values, judged from what the generator did.

Some photo conditions (``lowres``, strong ``blur``) make photos that no one can read: a card
370 px wide in a 1024 x 768 frame, halved in resolution and blurred, leaves its characters as
mush. The right answer on such a photo is "field not valid", not a reading, so the benchmark
scores those photos apart. The judgement here uses only the generator's own numbers (card size
in the photo, blur, resolution loss, glare, JPEG quality), never the recogniser's output.

The rule is deliberately conservative (a photo called legible must be readable without effort):

* the value characters must stand at least ``MIN_CHAR_PX`` pixels tall after resolution loss, and
* the Gaussian blur (focus and copier together, sigma in photo pixels, adding in quadrature)
  must be at most ``MAX_BLUR_PER_CHAR`` of the character height, and
* a motion smear must be at most ``MAX_MOTION_PER_CHAR`` of the character height, and
* no glare spot may wash a value's characters out: in every character-sized cell of a value
  that a spot reached, the photo must keep ``MIN_GLARE_CONTRAST`` grey levels between ink and
  paper. Measured on the photo itself right after the glare (before blur and noise), so thin
  strokes of small print, lightened by resampling, count as the light grey they have become.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

# A value character's printed height (ink of a CJK glyph at the card's 3.0-3.35 mm type size,
# taking the small end) over the card's 54 mm height.
CHAR_HEIGHT_MM = 2.6
CARD_HEIGHT_MM = 54.0
MIN_CHAR_PX = 9.0
MAX_BLUR_PER_CHAR = 0.15
MAX_MOTION_PER_CHAR = 0.5
# OpenCV's sigma for the 3 x 3 Gaussian a photocopy applies (0.3 * ((3 - 1) / 2 - 1) + 0.8).
PHOTOCOPY_SIGMA = 0.8
# Under a glare spot the paper clips to white and the ink brightens with it. Below 25 grey levels
# between them (a tenth of the range), after the photo's noise and JPEG, a character breaks up:
# at 22 a bleached 男 was only just visible when looked for.
MIN_GLARE_CONTRAST = 25.0
GLARE_REACH = 40.0  # grey levels a spot must add to a cell for the cell to be judged
CELL_ASPECT = 0.6  # a judged cell's width in box heights: a digit's width, under a CJK character's
MIN_PRINTED_CONTRAST = 60.0  # a cell with less spread than this before the glare holds no print
NO_GLARE = 255.0  # the contrast recorded when no spot reached any value


def card_height_px(quad: np.ndarray) -> float:
    """The card's height in the photo: its shorter left/right edge (the far edge under
    perspective, where the characters are smallest). ``quad`` is TL, TR, BR, BL."""
    left = float(np.linalg.norm(quad[3] - quad[0]))
    right = float(np.linalg.norm(quad[2] - quad[1]))
    return min(left, right)


def glare_contrast(
    unglared: np.ndarray | None,
    glared: np.ndarray | None,
    added: np.ndarray | None,
    fields: dict[str, list[list[float]]],
) -> float:
    """The least ink-to-paper contrast left in any inked character cell a glare spot reached.

    ``unglared`` and ``glared`` are the photo (BGR) just before and right after its glare,
    ``added`` the brightness the spots added per pixel, ``fields`` the value boxes (four corners
    each, the first edge along the text, in photo pixels). Each box is cut along its text into
    cells ``CELL_ASPECT`` box heights wide; a cell's contrast is the spread between its 2nd and
    98th percentile grey levels, and only cells that held print before the glare (a space
    between words does not) are judged. ``NO_GLARE`` when no spot reached a printed cell.
    """
    if unglared is None or glared is None or added is None or not fields:
        return NO_GLARE
    before = cv2.cvtColor(unglared, cv2.COLOR_BGR2GRAY)
    grey = cv2.cvtColor(glared, cv2.COLOR_BGR2GRAY)
    lowest = NO_GLARE
    for corners in fields.values():
        quad = np.asarray(corners, dtype=np.float64)
        length = float(np.linalg.norm(quad[1] - quad[0]))
        height = float(np.linalg.norm(quad[3] - quad[0]))
        cells = max(1, round(length / max(CELL_ASPECT * height, 1.0)))
        for i in range(cells):
            a, b = i / cells, (i + 1) / cells
            cell = np.array([quad[0] + (quad[1] - quad[0]) * a, quad[0] + (quad[1] - quad[0]) * b,
                             quad[3] + (quad[2] - quad[3]) * b, quad[3] + (quad[2] - quad[3]) * a])
            # The cell's mask over its bounding box only, not the whole photo.
            points = np.round(cell).astype(np.int32)
            x0, y0 = np.clip(points.min(axis=0), 0, None)
            x1 = min(int(points[:, 0].max()) + 1, grey.shape[1])
            y1 = min(int(points[:, 1].max()) + 1, grey.shape[0])
            if x1 <= x0 or y1 <= y0:
                continue
            mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
            cv2.fillConvexPoly(mask, points - np.array([x0, y0], np.int32), 1)
            inside = mask > 0
            if not inside.any() or float(added[y0:y1, x0:x1][inside].max()) < GLARE_REACH:
                continue
            low, high = np.percentile(before[y0:y1, x0:x1][inside], (2, 98))
            if high - low < MIN_PRINTED_CONTRAST:
                continue  # no print here to wash out
            low, high = np.percentile(grey[y0:y1, x0:x1][inside], (2, 98))
            lowest = min(lowest, float(high - low))
    return lowest


def combined_sigma(focus_sigma: float, copy_sigma: float) -> float:
    """One Gaussian sigma for focus blur and a copier's blur applied one after the other."""
    return math.sqrt(focus_sigma**2 + copy_sigma**2)


def assess(
    quad: np.ndarray,
    focus_sigma: float = 0.0,
    motion_length: float = 0.0,
    copy_sigma: float = 0.0,
    downscale: float = 1.0,
    jpeg_quality: int = 90,
    glare_contrast: float = NO_GLARE,
) -> dict[str, Any]:
    """The legibility record of one photo: the quantities that decide it, and the verdict.

    ``downscale`` is the factor the photo was shrunk by before being scaled back (1: never);
    blur lengths are in photo pixels. Returns a JSON-ready dict with ``"legible"``.
    """
    char_px = card_height_px(quad) * CHAR_HEIGHT_MM / CARD_HEIGHT_MM
    effective_char_px = char_px * downscale
    sigma = combined_sigma(focus_sigma, copy_sigma)
    legible = (
        effective_char_px >= MIN_CHAR_PX
        and sigma <= MAX_BLUR_PER_CHAR * char_px
        and motion_length <= MAX_MOTION_PER_CHAR * char_px
        and glare_contrast >= MIN_GLARE_CONTRAST
    )
    return {
        "char_px": round(char_px, 2),
        "effective_char_px": round(effective_char_px, 2),
        "blur_sigma": round(focus_sigma, 3),
        "motion_px": round(motion_length, 1),
        "copy_sigma": round(copy_sigma, 2),
        "total_blur_sigma": round(sigma, 3),
        "blur_per_char": round(sigma / char_px, 3) if char_px else None,
        "motion_per_char": round(motion_length / char_px, 3) if char_px else None,
        "downscale": round(downscale, 3),
        "jpeg_quality": jpeg_quality,
        "glare_contrast": round(glare_contrast, 1),
        "legible": bool(legible),
    }

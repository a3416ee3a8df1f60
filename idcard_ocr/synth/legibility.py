"""Whether a person could read a synthetic photo's values, judged from what the generator did.

Some photo conditions (``lowres``, strong ``blur``) make photos that no one can read: a card
370 px wide in a 1024 x 768 frame, halved in resolution and blurred, leaves its characters as
mush. The right answer on such a photo is "field not valid", not a reading, so the benchmark
scores those photos apart. The judgement here uses only the generator's own numbers (card size
in the photo, blur, resolution loss, JPEG quality), never the recogniser's output.

The rule is deliberately conservative (a photo called legible must be readable without effort):

* the value characters must stand at least ``MIN_CHAR_PX`` pixels tall after resolution loss, and
* the Gaussian blur (focus and copier together, sigma in photo pixels, adding in quadrature)
  must be at most ``MAX_BLUR_PER_CHAR`` of the character height, and
* a motion smear must be at most ``MAX_MOTION_PER_CHAR`` of the character height, and
* no glare spot may wash any value's print out: where a spot adds more than ``MAX_GLARE_ADD``
  grey levels, black print keeps under ``MIN_GLARE_CONTRAST`` levels against the paper, which
  has gone white, and the characters there are gone.

A smear is judged by its length, not by an equivalent Gaussian: at the same spread it hurts far
more (a smear half a character long already doubles every stroke). The thresholds were set by
looking at crops of generated photos on both sides of them: at 8.5 px characters a name is
readable only with effort; at a Gaussian sigma of 0.16 x the character height the address
starts to run together; a smear of 0.6 x the character height leaves mush.
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
# Print under a glare spot: the card's paper (about 235) clips to white at once, black value ink
# (about 30) keeps 255 - 30 - added levels of contrast. Under 20 levels, in sensor noise and
# JPEG, a character is not there to read.
INK_LEVEL = 30.0
MIN_GLARE_CONTRAST = 20.0
MAX_GLARE_ADD = 255.0 - INK_LEVEL - MIN_GLARE_CONTRAST


def card_height_px(quad: np.ndarray) -> float:
    """The card's height in the photo: its shorter left/right edge (the far edge under
    perspective, where the characters are smallest). ``quad`` is TL, TR, BR, BL."""
    left = float(np.linalg.norm(quad[3] - quad[0]))
    right = float(np.linalg.norm(quad[2] - quad[1]))
    return min(left, right)


def glare_peak(added: np.ndarray | None, fields: dict[str, list[list[float]]]) -> float:
    """The most brightness a glare spot added anywhere inside a value's box (0: no glare).

    ``added`` is the per-pixel brightness the spots added (photo pixels); ``fields`` are the
    value boxes (four corners each, photo pixels).
    """
    if added is None or not fields:
        return 0.0
    peak = 0.0
    for corners in fields.values():
        mask = np.zeros(added.shape, np.uint8)
        cv2.fillConvexPoly(mask, np.round(np.asarray(corners)).astype(np.int32), 1)
        if mask.any():
            peak = max(peak, float(added[mask > 0].max()))
    return peak


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
    glare_peak: float = 0.0,
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
        and glare_peak <= MAX_GLARE_ADD
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
        "glare_peak": round(glare_peak, 1),
        "legible": bool(legible),
    }

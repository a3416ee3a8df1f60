"""Fingers holding the card: a thumb over the card's edge hides part of its outline (so corner
finding cannot rely on four clean edges) but, as people hold cards, none of the printed fields.

Shapes are laid out in card millimetres and carried into the photo with the card's homography,
so they follow its perspective.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

from idcard_ocr.synth.card import CARD_MM

# Where a thumb may rest without covering text: (edge, along-edge range in mm, reach onto card mm).
# The front's labels start at x 5 mm and the back's emblem at x 6 mm; the right edge past 82 mm and
# the bottom edge below 51 mm are bare on both sides.
_GRIPS = (
    ("left", (22.0, 40.0), 4.0),
    ("right", (14.0, 40.0), 3.5),
    ("bottom", (10.0, 75.0), 2.5),
)


def _thumb_outline_mm(rng: random.Random) -> np.ndarray:
    edge, (low, high), reach = rng.choice(_GRIPS)
    width = rng.uniform(14, 19)  # an adult thumb, in mm
    centre = rng.uniform(low + width / 2 - 4, high - width / 2 + 4)
    length = 45.0
    # A capsule pointing onto the card: straight sides, a round tip ``reach`` mm inside the edge.
    tip = [
        (width / 2 * math.cos(a), width / 2 * math.sin(a)) for a in np.linspace(-math.pi / 2, math.pi / 2, 12)
    ]
    outline = [(-length, -width / 2), *[(x + reach - width / 2, y) for x, y in tip], (-length, width / 2)]
    points = np.array(outline, np.float64)  # x: distance onto the card, y: along the edge
    if edge == "left":
        mm = np.stack([points[:, 0], centre + points[:, 1]], axis=1)
    elif edge == "right":
        mm = np.stack([CARD_MM[0] - points[:, 0], centre + points[:, 1]], axis=1)
    else:
        mm = np.stack([centre + points[:, 1], CARD_MM[1] - points[:, 0]], axis=1)
    return mm


def hold_with_thumb(
    rng: random.Random, image: np.ndarray, homography: np.ndarray, px_per_mm: float
) -> np.ndarray:
    """``image`` with a shaded skin-coloured thumb over one edge of the card (in place and returned)."""
    outline = _thumb_outline_mm(rng) * px_per_mm
    photo = cv2.perspectiveTransform(outline[None, :, :], homography)[0]
    height, width = image.shape[:2]
    mask = np.zeros((height, width), np.float32)
    cv2.fillPoly(mask, [np.round(photo).astype(np.int32)], 1.0)
    if not mask.any():
        return image
    # Photo pixels per card millimetre near the card's centre, for blur and shadow sizes.
    centre = np.array([[[CARD_MM[0] / 2, CARD_MM[1] / 2], [CARD_MM[0] / 2 + 1, CARD_MM[1] / 2]]]) * px_per_mm
    ends = cv2.perspectiveTransform(centre, homography)[0]
    scale = max(1.0, float(np.linalg.norm(ends[1] - ends[0])))
    soft = cv2.GaussianBlur(mask, (0, 0), max(1.0, scale * 0.15))
    # Skin tone with a darker rim, from the distance to the outline.
    inside = cv2.distanceTransform((mask > 0).astype(np.uint8), cv2.DIST_L2, 5)
    rim = np.clip(inside / max(1.0, float(inside.max()) * 0.6), 0, 1)
    skin = np.array([rng.randint(120, 170), rng.randint(150, 190), rng.randint(200, 235)], np.float32)  # BGR
    colour = skin[None, None, :] * (0.72 + 0.28 * rim[..., None])
    shadow = cv2.GaussianBlur(np.roll(mask, (int(scale), int(scale)), axis=(0, 1)), (0, 0), scale)
    out = image.astype(np.float32) * (1 - 0.3 * shadow[..., None])
    out = out * (1 - soft[..., None]) + colour * soft[..., None]
    return out.clip(0, 255).astype(np.uint8)

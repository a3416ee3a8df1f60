"""Places on the canonical card (856 x 540 px) that the assessments treat specially.

The printed pictures are not the card's ground colour: the front's portrait and the back's
emblem are skipped when looking for something lying over the card, and the portrait is where a
real card shows its strongest colours.
"""

from __future__ import annotations

import numpy as np

from idcard_ocr.pipeline.geometry import CARD_HEIGHT, CARD_WIDTH
from idcard_ocr.pipeline.types import Side

FRONT_PICTURES = ((530, 40, 830, 420),)  # the portrait, x 55-81 mm, y 6-40 mm, with a margin
BACK_PICTURES = ((40, 30, 240, 240), (300, 40, 830, 230))  # the emblem; the big printed title
BORDER_PX = 20  # the rounded corners and the edge itself (2 mm): background shows there on any card


def picture_mask(side: Side) -> np.ndarray:
    """``uint8`` 540 x 856 mask, 255 on the printed pictures and the card's rim for ``side``."""
    mask = np.zeros((CARD_HEIGHT, CARD_WIDTH), np.uint8)
    for x0, y0, x1, y1 in FRONT_PICTURES if side == "front" else BACK_PICTURES:
        mask[y0:y1, x0:x1] = 255
    mask[:BORDER_PX, :] = 255
    mask[-BORDER_PX:, :] = 255
    mask[:, :BORDER_PX] = 255
    mask[:, -BORDER_PX:] = 255
    return mask


def inner_mask() -> np.ndarray:
    """``bool`` 540 x 856 mask, True on the card's inner part (its rim of ``BORDER_PX`` excluded),
    where a straightening a pixel or two off cannot let the background in."""
    inner = np.zeros((CARD_HEIGHT, CARD_WIDTH), bool)
    inner[BORDER_PX:-BORDER_PX, BORDER_PX:-BORDER_PX] = True
    return inner

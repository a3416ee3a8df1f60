"""The geometry stages' public face: find the card, straighten it, orient it, tell its side.

    straighten(img) -> Straightened | None     the whole geometry in one call
    straighten_another(img, located, found)    another card among the outlines already found
    straighten_as(img, quad, side)             a card found, set upright as a side known otherwise
    print_side(img, quad) -> (side, margin)    the side the print alone matches better
    straighten_frame(img) -> Straightened | None   the photo's own frame as the card
    warp(img, quad) -> card                    cut an upright 856 x 540 card out of a photo
    unwarp_points(quad, points) -> points      canonical card pixels back to photo pixels

Everything else (``locate``, ``rectify``, ``orientation``, ``side``, ``quad``) is reachable for
tests and tools but may change.
"""

from __future__ import annotations

from idcard_ocr.pipeline.quad import CARD_HEIGHT, CARD_WIDTH, unwarp_points, warp
from idcard_ocr.pipeline.straighten import (
    Straightened,
    print_side,
    side_margin,
    straighten,
    straighten_another,
    straighten_as,
    straighten_frame,
)

__all__ = [
    "CARD_HEIGHT", "CARD_WIDTH", "Straightened", "print_side", "side_margin", "straighten",
    "straighten_another", "straighten_as", "straighten_frame", "unwarp_points", "warp",
]

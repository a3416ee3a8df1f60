"""The geometry stages' public face: find the card, straighten it, orient it, tell its side.

    straighten(img) -> Straightened | None     the whole geometry in one call
    straighten_another(img, located, found)    another card among the outlines already found
    straighten_frame(img) -> Straightened | None   the photo's own frame as the card
    warp(img, quad) -> card                    cut an upright 856 x 540 card out of a photo
    unwarp_points(quad, points) -> points      canonical card pixels back to photo pixels

Everything else (``locate``, ``rectify``, ``orientation``, ``side``, ``quad``) is reachable for
tests and tools but may change.
"""

from __future__ import annotations

from idcard_ocr.pipeline.quad import CARD_HEIGHT, CARD_WIDTH, unwarp_points, warp
from idcard_ocr.pipeline.straighten import Straightened, straighten, straighten_another, straighten_frame

__all__ = [
    "CARD_HEIGHT", "CARD_WIDTH", "Straightened", "straighten", "straighten_another", "straighten_frame",
    "unwarp_points", "warp",
]

"""Crops a caller may keep: the straightened card and, on the front, the holder's portrait.

Both come from the upright canonical card (856 x 540 px, 10 px per mm), so they have the same
size whatever the photo's resolution or perspective. The portrait window is the printed photo's
place on the second-generation card (x 55-81 mm, y 6-40 mm) with a small margin, because a card
straightened a millimetre off would otherwise lose the edge of the face.
"""

from __future__ import annotations

import cv2
import numpy as np

from idcard_ocr.pipeline.assess.photo_view import PhotoView
from idcard_ocr.pipeline.types import Side

# x0, y0, x1, y1 on the canonical card: the portrait at 55-81 x 6-40 mm plus ~1.5 mm around it.
PORTRAIT_BOX = (535, 45, 825, 415)
CROP_JPEG_QUALITY = 90


def card_crop(view: PhotoView) -> np.ndarray | None:
    """The upright card, 856 x 540 BGR, or None when no card was found."""
    return view.card


def portrait_crop(view: PhotoView, side: Side) -> np.ndarray | None:
    """The front's portrait (290 x 370 BGR), or None on the back or when no card was found."""
    card = view.card
    if card is None or side != "front":
        return None
    x0, y0, x1, y1 = PORTRAIT_BOX
    return card[y0:y1, x0:x1].copy()


def encode_jpeg(image: np.ndarray, quality: int = CROP_JPEG_QUALITY) -> bytes:
    """``image`` (BGR) as JPEG bytes."""
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV cannot fail on a valid uint8 image
        raise RuntimeError("JPEG encoding failed")
    return bytes(buffer.tobytes())

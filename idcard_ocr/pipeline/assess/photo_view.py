"""The photo and the straightened card that every assessment looks at, decoded once.

A ``Recognition`` reports the card's corners in the uploaded photo's pixels (after EXIF
orientation); the assessments need those pixels too. ``view_photo`` decodes the bytes again (the
recogniser keeps no pixels, so that a request without extras pays nothing for them) and maps the
corners onto the decoded copy, which may be a reduced decode of a very large JPEG.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.geometry import CARD_HEIGHT, CARD_WIDTH, unwarp_points, warp
from idcard_ocr.pipeline.types import Recognition

MIN_CARD_AREA_PX = 64.0


@dataclass
class PhotoView:
    """A decoded photo, where the card lies on it, and the upright card cut from it."""

    image: np.ndarray  # H x W x 3 BGR, upright as the user sees the photo (maybe a reduced decode)
    scale: float  # uploaded-photo pixels per pixel of ``image``
    quad: np.ndarray | None  # card TL, TR, BR, BL in ``image`` pixels; None when no card was found
    _card: np.ndarray | None = field(default=None, repr=False)
    _visible: np.ndarray | None = field(default=None, repr=False)

    @property
    def width(self) -> int:
        """Width of ``image`` in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height of ``image`` in pixels."""
        return int(self.image.shape[0])

    @property
    def card(self) -> np.ndarray | None:
        """The upright 856 x 540 card (cut on first use), or None when no card was found."""
        if self._card is None and self.quad is not None:
            self._card = warp(self.image, self.quad, CARD_WIDTH, CARD_HEIGHT)
        return self._card

    @property
    def visible(self) -> np.ndarray | None:
        """``bool`` 540 x 856 mask of the card's pixels that lie inside the photo (the rest of the
        cut-out card is made up by repeating the frame's edge), or None when no card was found."""
        if self._visible is None and self.quad is not None:
            step = 4  # judged on a coarse grid: the frame's edge is a straight line on the card
            ys, xs = np.mgrid[step / 2 : CARD_HEIGHT : step, step / 2 : CARD_WIDTH : step]
            photo = unwarp_points(self.quad, np.stack([xs.ravel(), ys.ravel()], axis=1))
            inside = (
                (photo[:, 0] >= 0)
                & (photo[:, 1] >= 0)
                & (photo[:, 0] <= self.width - 1)
                & (photo[:, 1] <= self.height - 1)
            ).reshape(xs.shape)
            coarse = inside.astype(np.uint8)
            self._visible = cv2.resize(coarse, (CARD_WIDTH, CARD_HEIGHT), interpolation=cv2.INTER_NEAREST) > 0
        return self._visible


def view_photo(photo: bytes, recognition: Recognition) -> PhotoView:
    """Decode ``photo`` and place ``recognition.card_quad`` on it.

    Raises ``ImageDecodeError`` like the recogniser would (it accepted these bytes already).
    """
    decoded = decode_image(photo)
    quad = None
    if recognition.card_quad is not None:
        quad = np.asarray(recognition.card_quad, dtype=np.float64).reshape(4, 2) / decoded.scale
        if abs(cv2.contourArea(quad.astype(np.float32))) < MIN_CARD_AREA_PX:
            quad = None  # a degenerate outline has no card to cut out
    return PhotoView(image=decoded.image, scale=decoded.scale, quad=quad)


def view_image(image: np.ndarray, quad: object | None) -> PhotoView:
    """A view of pixels already in memory (``quad`` in their coordinates), for tools and tests."""
    corners = None if quad is None else np.asarray(quad, dtype=np.float64).reshape(4, 2)
    return PhotoView(image=image, scale=1.0, quad=corners)

"""The photo and the straightened card that every assessment looks at, decoded once.

A ``Recognition`` reports the card's corners in the uploaded photo's pixels (after EXIF
orientation); the assessments need those pixels too. The recogniser hands them over in
``Recognition.view`` (the photo it decoded, the card it straightened), built by ``place_card``;
``view_photo`` decodes the bytes again for a recognition that carries none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.geometry import CARD_HEIGHT, CARD_WIDTH, unwarp_points, warp
from idcard_ocr.pipeline.locate import LocatePass
from idcard_ocr.pipeline.types import Point, Recognition

MIN_CARD_AREA_PX = 64.0


@dataclass
class PhotoView:
    """A decoded photo, where the card lies on it, and the upright card cut from it."""

    image: np.ndarray  # H x W x 3 BGR, upright as the user sees the photo (maybe a reduced decode)
    scale: float  # uploaded-photo pixels per pixel of ``image``
    quad: np.ndarray | None  # card TL, TR, BR, BL in ``image`` pixels; None when no card was found
    _card: np.ndarray | None = field(default=None, repr=False)
    _visible: np.ndarray | None = field(default=None, repr=False)
    # The search for the card on ``image`` (its locating pass), kept so that a photo of several
    # cards finds the others among the outlines it saw instead of searching the photo again.
    located: LocatePass | None = field(default=None, repr=False)

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


def place_card(
    image: np.ndarray,
    scale: float,
    card_quad: tuple[Point, Point, Point, Point] | None,
    card: np.ndarray | None = None,
    card_quad_on_image: np.ndarray | None = None,
) -> PhotoView:
    """The view of a decoded ``image`` (``scale`` uploaded pixels per pixel) with the card at
    ``card_quad`` (uploaded-photo pixels).

    ``card`` is the card already cut along ``card_quad_on_image`` (``image`` pixels); it is kept
    only when that is exactly the quad placed here, so the view's card is the one
    ``warp(image, quad)`` would give, bit for bit.
    """
    quad = None
    if card_quad is not None:
        quad = np.asarray(card_quad, dtype=np.float64).reshape(4, 2) / scale
        if abs(cv2.contourArea(quad.astype(np.float32))) < MIN_CARD_AREA_PX:
            quad = None  # a degenerate outline has no card to cut out
    cut = card_quad_on_image
    same_cut = cut is not None and quad is not None and np.array_equal(quad, cut)
    return PhotoView(image=image, scale=scale, quad=quad, _card=card if same_cut else None)


def view_photo(photo: bytes, recognition: Recognition) -> PhotoView:
    """The view ``recognition`` carries, or else: decode ``photo`` and place the card on it.

    Raises ``ImageDecodeError`` like the recogniser would (it accepted these bytes already).
    """
    if recognition.view is not None:
        return recognition.view
    decoded = decode_image(photo)
    return place_card(decoded.image, decoded.scale, recognition.card_quad)


def view_image(image: np.ndarray, quad: object | None) -> PhotoView:
    """A view of pixels already in memory (``quad`` in their coordinates), for tools and tests."""
    corners = None if quad is None else np.asarray(quad, dtype=np.float64).reshape(4, 2)
    return PhotoView(image=image, scale=1.0, quad=corners)

"""Quadrilateral geometry shared by the locating, rectifying and orientation stages.

A quad is a ``(4, 2)`` float64 array of corner points in image pixels. Once it belongs to an
upright card its order is TL, TR, BR, BL of the card (not of the photo).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CARD_WIDTH = 856  # canonical card: 10 px per mm of the 85.6 x 54 mm ID-1 card
CARD_HEIGHT = 540
CARD_ASPECT = CARD_WIDTH / CARD_HEIGHT  # 1.585
CANONICAL_CORNERS = np.array(
    [[0.0, 0.0], [CARD_WIDTH, 0.0], [CARD_WIDTH, CARD_HEIGHT], [0.0, CARD_HEIGHT]], dtype=np.float64
)
# Each corner's next and previous corner: ``quad[NEXT]`` is ``np.roll(quad, -1, axis=0)``, the
# same values at a tenth of the cost (these run for every candidate outline, thousands of times
# on a page).
NEXT = np.array([1, 2, 3, 0])
PREVIOUS = np.array([3, 0, 1, 2])
_STARTING_AT = tuple(np.array([(k + start) % 4 for k in range(4)]) for start in range(4))


def as_quad(points: object) -> np.ndarray:
    """Any 4-point sequence as a ``(4, 2)`` float64 array."""
    quad = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if quad.shape != (4, 2):
        raise ValueError(f"a quad needs 4 points, got {quad.shape[0]}")
    return quad


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Sort 4 points clockwise on screen (y down), starting from the one nearest the top-left."""
    quad = as_quad(points)
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]  # increasing angle with y down = clockwise on screen
    start = int(np.argmin(quad[:, 0] + quad[:, 1]))
    return quad[_STARTING_AT[start]]  # np.roll(quad, -start, axis=0)


def side_lengths(quad: np.ndarray) -> np.ndarray:
    """Lengths of the sides 0-1, 1-2, 2-3, 3-0."""
    quad = np.asarray(quad)
    return np.linalg.norm(quad[NEXT] - quad, axis=1)


def long_side_first(quad: np.ndarray) -> np.ndarray:
    """Roll a clockwise quad so that side 0-1 (the card's top) is one of the two long sides."""
    lengths = side_lengths(quad)
    if lengths[0] + lengths[2] >= lengths[1] + lengths[3]:
        return quad.copy()
    return quad[NEXT]


def aspect_ratio(quad: np.ndarray) -> float:
    """Mean long side over mean short side (1.585 for a card seen straight on)."""
    lengths = side_lengths(quad)
    a, b = lengths[0] + lengths[2], lengths[1] + lengths[3]
    return float(max(a, b) / max(min(a, b), 1e-9))


def area(quad: np.ndarray) -> float:
    """Absolute polygon area (shoelace)."""
    x, y = quad[:, 0], quad[:, 1]
    return float(abs(np.dot(x, y[NEXT]) - np.dot(y, x[NEXT])) / 2.0)


def overlaps(quad: np.ndarray, others: list[np.ndarray], share: float) -> bool:
    """Whether convex ``quad`` overlaps any of ``others`` by more than ``share`` of the smaller one's
    area (the same card found twice: its rim, its portrait, the two together)."""
    mine = quad.astype(np.float32)
    for other in others:
        overlap, _ = cv2.intersectConvexConvex(mine, other.astype(np.float32))
        if overlap > share * min(area(quad), area(other)):
            return True
    return False


def is_convex(quad: np.ndarray) -> bool:
    """True when the 4 corners turn the same way (no self-crossing, no dent)."""
    edges = quad[NEXT] - quad
    nxt = edges[NEXT]
    cross = edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]
    return bool(np.all(cross > 0) or np.all(cross < 0))


def corner_angles(quad: np.ndarray) -> np.ndarray:
    """Interior angle at each corner, in degrees."""
    prev = quad[PREVIOUS] - quad
    nxt = quad[NEXT] - quad
    cos = np.sum(prev * nxt, axis=1) / (np.linalg.norm(prev, axis=1) * np.linalg.norm(nxt, axis=1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def rotate_of(quad: np.ndarray) -> int:
    """How far the card whose TL,TR,BR,BL are ``quad`` is turned clockwise: 0, 90, 180 or 270.

    Measured by the direction of the card's top and bottom edges in the photo (y down, so a
    positive angle is clockwise); ties at 45 degrees go to the nearer multiple by rounding.
    """
    direction = (quad[1] - quad[0]) + (quad[2] - quad[3])
    degrees = math.degrees(math.atan2(direction[1], direction[0]))
    return round(degrees / 90.0) % 4 * 90


def card_homography(quad: object, width: int = CARD_WIDTH, height: int = CARD_HEIGHT) -> np.ndarray:
    """The 3x3 homography that maps the image quad TL,TR,BR,BL onto a ``width x height`` card."""
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    return cv2.getPerspectiveTransform(as_quad(quad).astype(np.float32), target)


def warp(img: np.ndarray, quad: object, width: int = CARD_WIDTH, height: int = CARD_HEIGHT,
         border: int = cv2.BORDER_REPLICATE) -> np.ndarray:
    """Cut the card with corners ``quad`` (TL,TR,BR,BL) out of ``img`` as an upright ``width x height`` image.

    When the card is much larger in the photo than the target, the photo is first shrunk with
    area averaging so that fine print does not alias in the perspective resampling. ``border``:
    how what lies outside the photo is filled (``cv2.BORDER_CONSTANT``: black, for a view that
    reaches past the photo's edge, where replicated edge print would pass for text).
    """
    corners = as_quad(quad)
    lengths = side_lengths(corners)
    shrink = min((lengths[0] + lengths[2]) / 2.0 / width, (lengths[1] + lengths[3]) / 2.0 / height)
    source = img
    if shrink > 1.5:
        # Only the card's own bounding box is shrunk, not the whole photo.
        x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 2
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 3
        x0, y0 = max(int(x0), 0), max(int(y0), 0)
        x1, y1 = min(int(x1), img.shape[1]), min(int(y1), img.shape[0])
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            source = img[y0:y1, x0:x1]
            corners = corners - np.array([x0, y0], dtype=np.float64)
        factor = 1.0 / (shrink / 1.2)  # keep a little more than the target resolution
        shrunk = cv2.resize(source, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        ratio = np.array([shrunk.shape[1] / source.shape[1], shrunk.shape[0] / source.shape[0]])
        corners = (corners + 0.5) * ratio - 0.5  # pixel centres, as cv2.resize maps them
        source = shrunk
    matrix = card_homography(corners, width, height)
    return cv2.warpPerspective(
        source, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=border
    )


def unwarp_points(
    quad: object, points: object, width: int = CARD_WIDTH, height: int = CARD_HEIGHT
) -> np.ndarray:
    """Map ``N x 2`` points on the canonical card back to image pixels of the card with corners ``quad``."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    inverse = np.linalg.inv(card_homography(quad, width, height).astype(np.float64))
    return cv2.perspectiveTransform(pts, inverse).reshape(-1, 2)


def widened(quad: object, margin_x: float, margin_y: float,
            width: int = CARD_WIDTH, height: int = CARD_HEIGHT) -> np.ndarray:
    """The photo quad (TL,TR,BR,BL) of the card with corners ``quad`` grown by ``margin_x`` and
    ``margin_y`` canonical pixels on every side: cut out at ``width + 2 * margin_x`` by
    ``height + 2 * margin_y``, canonical point (x, y) lies at (x + margin_x, y + margin_y)."""
    corners = [[-margin_x, -margin_y], [width + margin_x, -margin_y],
               [width + margin_x, height + margin_y], [-margin_x, height + margin_y]]
    return unwarp_points(quad, corners, width, height)

"""Framings beyond the phone-photo conditions: how scanners and client apps hand a card over.

* ``margin``: a flat scan, the card on the scanner's white with a margin all round (sometimes
  only a faint grey line where the card's edge throws a shadow).
* ``cut``: the card cut out by a client app's card frame: up to 2 mm inside the card's edge on
  each side, so the rounded corners and the outline are lost (a sliver of what lay behind the
  card may show where the frame was a little wide or tilted).
* ``desk``: a phone photo of the card on a white desk whose shade is so close to the card's that
  its edge barely shows.

Each gives a :class:`~idcard_ocr.synth.photo.Photo` with exact geometry, as ``make_photo`` does;
:func:`photograph` takes any condition or framing.
"""

from __future__ import annotations

import random

import cv2
import numpy as np

from idcard_ocr.synth import degrade, legibility
from idcard_ocr.synth.backgrounds import BACKGROUND_KINDS, make_background
from idcard_ocr.synth.card import CardImage
from idcard_ocr.synth.photo import (
    CONDITIONS,
    MAX_SIDE,
    Photo,
    _composite,
    _encode_jpeg,
    _resized_card,
    card_to_photo_quad,
    make_photo,
    place_quad,
)

FRAMINGS: tuple[str, ...] = ("margin", "cut", "desk")
ALL_CONDITIONS: tuple[str, ...] = (*CONDITIONS, *FRAMINGS)
MAX_CUT_MM = 2.0  # how far inside the card's edge a client app's frame may cut


def photograph(
    card: CardImage, rng: random.Random, condition: str, rotate: int, max_side: int = MAX_SIDE
) -> Photo:
    """A photo of ``card`` under any of ``ALL_CONDITIONS`` (a photo condition or a framing)."""
    if condition in FRAMINGS:
        return framed_photo(card, rng, condition, rotate, max_side)
    return make_photo(card, rng, condition, rotate, max_side)


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    shrink = min(1.0, max_side / max(width, height))
    return round(width * shrink), round(height * shrink)


def _edge_colour(card: CardImage) -> np.ndarray:
    # The card's own colour along its edge: a desk of this shade hides the outline.
    band = max(4, card.bgr.shape[0] // 40)
    inside = card.mask > 200
    ring = np.zeros_like(inside)
    ring[:band], ring[-band:], ring[:, :band], ring[:, -band:] = True, True, True, True
    colour: np.ndarray = np.asarray(card.bgr[inside & ring].mean(axis=0), np.float32)
    return colour


def _desk_like(rng: random.Random, colour: np.ndarray, width: int, height: int) -> np.ndarray:
    shade = colour + np.array([rng.uniform(-8, 8) for _ in range(3)], np.float32)
    small = np.random.default_rng(rng.randrange(2**32)).random((max(2, height // 200), max(2, width // 200)))
    texture = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return (shade[None, None, :] * (0.97 + 0.06 * texture[..., None])).clip(0, 255).astype(np.uint8)


def framed_photo(
    card: CardImage, rng: random.Random, framing: str, rotate: int, max_side: int = MAX_SIDE
) -> Photo:
    """A photo of ``card`` in ``framing`` (one of ``FRAMINGS``), turned ``rotate`` degrees clockwise."""
    if framing not in FRAMINGS or rotate not in (0, 90, 180, 270):
        raise ValueError(f"unknown framing {framing!r} or rotation {rotate}")
    card_w, card_h = card.bgr.shape[1], card.bgr.shape[0]
    if framing == "margin":
        shape = card_to_photo_quad(card_w, card_h, rotate, rng.uniform(-1.5, 1.5), 0, 0)
        width = rng.randint(1000, 1500)
        height = round(width * rng.uniform(0.62, 0.8))
        if rotate in (90, 270):
            width, height = height, width
        width, height = _fit(width, height, max_side)
        quad = place_quad(rng, shape, width, height, rng.uniform(0.55, 0.9))
        background = np.full((height, width, 3), rng.randint(240, 254), np.uint8)
        quality, shadow = rng.randint(85, 95), False
    elif framing == "cut":
        shape = card_to_photo_quad(
            card_w, card_h, rotate, rng.uniform(-1.0, 1.0), rng.uniform(-2, 2), rng.uniform(-2, 2)
        )
        target = rng.randint(800, 1400) / max(np.ptp(shape[:, 0]), np.ptp(shape[:, 1]))
        shape = (shape - shape.min(axis=0)) * target
        px_per_mm = target * card.px_per_mm
        # Each side of the frame lies up to 2 mm inside the card; now and then a little outside.
        insets = [
            rng.uniform(-0.5, 0.0) if rng.random() < 0.15 else rng.uniform(0.0, MAX_CUT_MM) for _ in range(4)
        ]
        x0, y0 = insets[0] * px_per_mm, insets[1] * px_per_mm
        x1, y1 = shape[:, 0].max() - insets[2] * px_per_mm, shape[:, 1].max() - insets[3] * px_per_mm
        width, height = round(x1 - x0), round(y1 - y0)
        quad = shape - np.array([x0, y0])
        if max(width, height) > max_side:
            shrink = max_side / max(width, height)
            quad, width, height = quad * shrink, round(width * shrink), round(height * shrink)
        background = make_background(rng, rng.choice(BACKGROUND_KINDS[:4]), width, height)
        quality, shadow = rng.randint(75, 92), True
    else:  # desk
        tilt = rng.uniform(-8, 8)
        shape = card_to_photo_quad(card_w, card_h, rotate, tilt, rng.uniform(-6, 6), rng.uniform(-6, 6))
        width, height = _fit(*rng.choice(((1280, 960), (1600, 1200), (960, 1280), (1440, 1080))), max_side)
        quad = place_quad(rng, shape, width, height, rng.uniform(0.55, 0.9))
        background = _desk_like(rng, _edge_colour(card), width, height)
        quality, shadow = rng.randint(60, 90), False
    card = _resized_card(card, float(np.linalg.norm(quad[1] - quad[0])))
    image = _composite(background, card, quad, soft_shadow=shadow)
    if framing == "margin" and rng.random() < 0.5:
        image = _edge_line(rng, image, quad)
    src = np.array(
        [[0, 0], [card.bgr.shape[1], 0], [card.bgr.shape[1], card.bgr.shape[0]], [0, card.bgr.shape[0]]],
        np.float32,
    )
    matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32)).astype(np.float64)
    focus = 0.0
    if framing == "margin":
        image = degrade.sensor_noise(rng, image, sigma=rng.uniform(0.5, 2.0))
    else:
        image = degrade.uneven_light(rng, image, rng.uniform(0.05, 0.25))
        if rng.random() < 0.3:
            focus = rng.uniform(0.5, 1.0)
            image = degrade.focus_blur(rng, image, focus)
        image = degrade.sensor_noise(rng, image, rng.uniform(1, 4))
    fields = {
        key: cv2.perspectiveTransform(np.array([box], np.float64), matrix)[0].round(1).tolist()
        for key, box in card.boxes.items()
    }
    jpeg, quality = _encode_jpeg(image, quality)
    return Photo(
        jpeg=jpeg,
        width=width,
        height=height,
        rotate=rotate,
        condition=framing,
        quad=quad.round(2).tolist(),
        fields=fields,
        homography=matrix,
        legibility=legibility.assess(quad, focus, jpeg_quality=quality),
    )


def _edge_line(rng: random.Random, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    # The faint grey line a scanner's light draws along the card's thickness.
    line = np.zeros(image.shape[:2], np.float32)
    cv2.polylines(line, [quad.round().astype(np.int32)], True, 1.0, thickness=2, lineType=cv2.LINE_AA)
    layer = cv2.GaussianBlur(line, (0, 0), 1.0)
    darkness = rng.uniform(10, 35)
    return (image.astype(np.float32) - darkness * layer[..., None]).clip(0, 255).astype(np.uint8)

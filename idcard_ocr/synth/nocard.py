"""Photos that are not of an ID card: a printed page with text (the API answers result 1) and a
surface with no text at all (the API answers 301)."""

from __future__ import annotations

import random

import numpy as np

from idcard_ocr.synth import degrade
from idcard_ocr.synth.backgrounds import make_background, print_text_block
from idcard_ocr.synth.photo import PHONE_SIZES, encode_jpeg


def text_page_photo(rng: random.Random, max_side: int = 4000) -> bytes:
    """A receipt-like page of Chinese text on a desk, photographed: text, but no card."""
    width, height = _size(rng, max_side)
    image = make_background(rng, rng.choice(("wood", "desk", "cloth")), width, height)
    x0, y0 = int(width * rng.uniform(0.1, 0.25)), int(height * rng.uniform(0.05, 0.15))
    x1, y1 = int(width * rng.uniform(0.75, 0.9)), int(height * rng.uniform(0.85, 0.95))
    image[y0:y1, x0:x1] = make_background(rng, "paper", x1 - x0, y1 - y0)
    print_text_block(rng, image, (x0, y0, x1, y1))
    image = degrade.uneven_light(rng, image, 0.2)
    return encode_jpeg(degrade.sensor_noise(rng, image, 3), rng.randint(70, 90))


def no_text_photo(rng: random.Random, max_side: int = 4000) -> bytes:
    """A bare surface (wood, cloth or desk) with a few plain shapes and no text anywhere."""
    width, height = _size(rng, max_side)
    image = make_background(rng, rng.choice(("wood", "cloth", "desk")), width, height)
    np_rng = np.random.default_rng(rng.randrange(2**32))
    for _ in range(rng.randint(1, 3)):  # a mug or a phone seen from above: blobs, not glyphs
        cx, cy = int(np_rng.integers(0, width)), int(np_rng.integers(0, height))
        radius = int(min(width, height) * rng.uniform(0.08, 0.2))
        ys, xs = np.ogrid[0:height, 0:width]
        inside = (xs - cx) ** 2 + (ys - cy) ** 2 < radius**2
        image[inside] = [rng.randint(30, 220) for _ in range(3)]
    image = degrade.focus_blur(rng, degrade.uneven_light(rng, image, 0.3), 1.5)
    return encode_jpeg(degrade.sensor_noise(rng, image, 4), rng.randint(70, 90))


def _size(rng: random.Random, max_side: int) -> tuple[int, int]:
    width, height = rng.choice(PHONE_SIZES)
    shrink = min(1.0, max_side / max(width, height))
    return round(width * shrink), round(height * shrink)

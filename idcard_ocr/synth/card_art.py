"""The non-text art of a card: security-pattern background, portrait silhouette, emblem.

None of it is text, so none of it can be mistaken for a field by an honest recogniser, but it is
busy enough (fine curves, colour, a face-like shape) that a recogniser tuned to blank cards fails.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw


def _pale(rng: random.Random, base: tuple[int, int, int], spread: int = 18) -> tuple[int, int, int]:
    r, g, b = (min(255, max(0, c + rng.randint(-spread, spread))) for c in base)
    return (r, g, b)


def security_background(
    rng: random.Random, width: int, height: int, tint: tuple[int, int, int]
) -> Image.Image:
    """A pale card background: a soft diagonal gradient and guilloche-like wave curves."""
    top = np.array(_pale(rng, tint, 10), dtype=np.float32)
    bottom = np.array(_pale(rng, (236, 240, 236), 10), dtype=np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    mix = (0.6 * ys / height + 0.4 * xs / width)[..., None]
    base = (top * (1 - mix) + bottom * mix).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(image)
    line_width = max(1, width // 900)
    # Families of phase-shifted sine waves, the way banknote-style guilloche is built up.
    for _family in range(rng.randint(2, 4)):
        colour = _pale(rng, (200, 214, 230) if rng.random() < 0.6 else (232, 206, 214), 14)
        amplitude = height * rng.uniform(0.02, 0.08)
        period = width * rng.uniform(0.08, 0.3)
        slope = rng.uniform(-0.2, 0.2)
        for k in range(rng.randint(10, 22)):
            y0 = height * k / 18 + rng.uniform(-5, 5)
            phase = k * rng.uniform(0.2, 0.6)
            points = [
                (x, y0 + slope * x + amplitude * math.sin(2 * math.pi * x / period + phase))
                for x in range(0, width + 8, 8)
            ]
            draw.line(points, fill=colour, width=line_width)
    # A faint rosette of circles, as on the real card's centre.
    cx, cy = width * rng.uniform(0.3, 0.6), height * rng.uniform(0.3, 0.7)
    rosette = _pale(rng, (215, 222, 232), 8)
    for i in range(12):
        r = height * 0.22
        ox, oy = r * 0.5 * math.cos(i * math.pi / 6), r * 0.5 * math.sin(i * math.pi / 6)
        draw.ellipse((cx + ox - r, cy + oy - r, cx + ox + r, cy + oy + r), outline=rosette, width=line_width)
    return image


def draw_portrait(rng: random.Random, image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """A head-and-shoulders silhouette on a light background inside ``box`` (x0, y0, x1, y1)."""
    # Drawn on its own tile and pasted, so the shoulders are cut at the photo's edge.
    tile = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), _pale(rng, (238, 240, 244), 8))
    draw = ImageDraw.Draw(tile)
    x0, y0, x1, y1 = 0.0, 0.0, float(tile.width), float(tile.height)
    w, h = x1 - x0, y1 - y0
    cx = x0 + w * rng.uniform(0.46, 0.54)
    clothes = _pale(rng, (40, 44, 60), 25)
    skin = _pale(rng, (214, 178, 150), 20)
    hair = _pale(rng, (28, 24, 22), 10)
    # Shoulders: a wide rounded shape cut by the bottom of the photo.
    draw.ellipse((x0 + w * 0.02, y0 + h * 0.72, x1 - w * 0.02, y1 + h * 0.35), fill=clothes)
    draw.rectangle((cx - w * 0.09, y0 + h * 0.55, cx + w * 0.09, y0 + h * 0.78), fill=skin)  # neck
    head = (cx - w * 0.24, y0 + h * 0.16, cx + w * 0.24, y0 + h * 0.66)
    draw.ellipse((head[0] - w * 0.03, head[1] - h * 0.04, head[2] + w * 0.03, head[3] - h * 0.16), fill=hair)
    draw.ellipse(head, fill=skin)
    draw.chord((head[0], head[1], head[2], head[1] + h * 0.28), 180, 360, fill=hair)  # fringe
    image.paste(tile, box[:2])


def draw_emblem(
    rng: random.Random, draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]
) -> None:
    """A red-and-gold shape in the place of the national emblem (not a copy of it)."""
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0) / 2
    red = _pale(rng, (200, 30, 36), 16)
    gold = _pale(rng, (232, 188, 60), 14)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    draw.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=red)
    for i in range(5):  # one large and four small stars across the top
        sr = r * (0.22 if i == 0 else 0.09)
        sx = cx - r * 0.35 + (0 if i == 0 else r * (0.25 + 0.12 * i))
        sy = cy - r * (0.4 if i == 0 else 0.55 - 0.1 * i)
        points = [
            (
                sx + sr * (1 if k % 2 == 0 else 0.4) * math.sin(k * math.pi / 5),
                sy - sr * (1 if k % 2 == 0 else 0.4) * math.cos(k * math.pi / 5),
            )
            for k in range(10)
        ]
        draw.polygon(points, fill=gold)
    # A gate-like block and a cogwheel-like base in gold.
    draw.rectangle((cx - r * 0.45, cy + r * 0.0, cx + r * 0.45, cy + r * 0.35), fill=gold)
    draw.rectangle((cx - r * 0.3, cy + r * 0.12, cx + r * 0.3, cy + r * 0.22), fill=red)
    draw.ellipse(
        (cx - r * 0.25, cy + r * 0.45, cx + r * 0.25, cy + r * 0.8), outline=gold, width=max(1, int(r * 0.06))
    )

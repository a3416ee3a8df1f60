"""Card art for the non-classic families: other guilloche patterns, emblems and portraits, the
grey low-contrast scan look, and stamps or watermarks over the text.

Like ``card_art``, none of it is a field's text; the stamps are text, but not a field's, and they
lie over the fields as a bank's ``复印无效`` stamp lies over a photocopied card.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from idcard_ocr.synth.card_art import draw_emblem, draw_portrait
from idcard_ocr.synth.families import Art
from idcard_ocr.synth.fonts import fonts_covering, load_font

RGB = tuple[int, int, int]
STAMP_TEXTS = ("复印无效", "再复印无效", "仅限办理{}使用", "仅供{}使用", "此复印件仅限{}使用")
STAMP_PURPOSES = ("银行开户", "社保业务", "入职登记", "手机卡实名", "贷款审核", "租房备案", "本次业务")


def _near(rng: random.Random, base: RGB, spread: int) -> RGB:
    r, g, b = (min(255, max(0, c + rng.randint(-spread, spread))) for c in base)
    return (r, g, b)


def _gradient(rng: random.Random, width: int, height: int, tint: RGB) -> Image.Image:
    top = np.array(_near(rng, tint, 8), np.float32)
    bottom = np.array(_near(rng, (238, 240, 238), 8), np.float32)
    # Broadcast a column and a row rather than building full coordinate grids: same values, faster.
    ys = np.arange(height, dtype=np.float32)[:, None, None] / height
    xs = np.arange(width, dtype=np.float32)[None, :, None] / width
    mix = 0.5 * ys + 0.5 * (1 - xs)
    return Image.fromarray((top * (1 - mix) + bottom * mix).clip(0, 255).astype(np.uint8), "RGB")


def pattern_background(rng: random.Random, width: int, height: int, tint: RGB, art: Art) -> Image.Image:
    """A pale background in ``art.pattern`` (``rosette``, ``mesh``, ``hatch`` or ``dots``)."""
    image = _gradient(rng, width, height, tint)
    draw = ImageDraw.Draw(image)
    line = max(1, width // 900)
    colours = art.line_colours
    if art.pattern == "rosette":
        for _ in range(rng.randint(2, 3)):  # hypotrochoid rosettes, the classic guilloche figure
            cx, cy = width * rng.uniform(0.1, 0.9), height * rng.uniform(0.1, 0.9)
            big, small, pen = (
                height * rng.uniform(0.3, 0.6),
                height * rng.uniform(0.05, 0.15),
                rng.uniform(0.5, 1.0),
            )
            colour = _near(rng, rng.choice(colours), 10)
            turns = 2 * math.pi * round(big / max(small, 1)) * 2
            points = []
            for k in range(1200):
                t = turns * k / 1199
                x = (big - small) * math.cos(t) + pen * small * math.cos((big - small) / small * t)
                y = (big - small) * math.sin(t) - pen * small * math.sin((big - small) / small * t)
                points.append((cx + x, cy + y))
            draw.line(points, fill=colour, width=line)
    elif art.pattern == "mesh":
        period = width * rng.uniform(0.05, 0.12)
        for direction in (1, -1):
            colour = _near(rng, rng.choice(colours), 10)
            for k in range(-8, 30):
                x0 = width * k / 20
                points = [
                    (x0 + direction * 0.4 * y + period * 0.15 * math.sin(2 * math.pi * y / period), y)
                    for y in range(0, height + 8, 8)
                ]
                draw.line(points, fill=colour, width=line)
    elif art.pattern == "hatch":
        # Fine slanted ruling whose pitch changes from band to band, and a few straight rules
        # across the card: rules the recogniser might take for a text line's edge.
        slope = rng.uniform(0.35, 0.8) * rng.choice((1, -1))
        bands = rng.randint(3, 5)
        for band in range(bands):
            colour = _near(rng, rng.choice(colours), 10)
            pitch = width * rng.uniform(0.006, 0.014)
            y0, y1 = height * band / bands, height * (band + 1) / bands
            x = -height * abs(slope)
            while x < width + height * abs(slope):
                draw.line([(x, y0), (x + slope * (y1 - y0), y1)], fill=colour, width=line)
                x += pitch
        colour = _near(rng, rng.choice(colours), 16)
        for _ in range(rng.randint(2, 4)):
            y = height * rng.uniform(0.05, 0.95)
            draw.line([(0, y), (width, y)], fill=colour, width=line * 2)
    else:  # dots: a fine screen of dots whose size swells in soft bands
        colour = _near(rng, rng.choice(colours), 10)
        step = max(6, width // 140)
        phase = rng.uniform(0, 2 * math.pi)
        for y in range(0, height, step):
            for x in range((y // step) % 2 * step // 2, width, step):
                r = step * (0.12 + 0.12 * (1 + math.sin(phase + x / width * 9 + y / height * 5)))
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        colour = _near(rng, rng.choice(colours), 10)
        for k in range(rng.randint(4, 7)):  # a few long waves across the screen
            y0, amp = height * (k + 0.5) / 7, height * rng.uniform(0.02, 0.05)
            points = [(x, y0 + amp * math.sin(x / width * 8 + k)) for x in range(0, width + 8, 8)]
            draw.line(points, fill=colour, width=line)
    return image


def portrait(rng: random.Random, image: Image.Image, box: tuple[int, int, int, int], style: str) -> None:
    """A portrait in ``style`` (``classic``, ``studio``: coloured backdrop and a suit, ``flat``:
    a grey silhouette on white) inside ``box``."""
    if style == "classic":
        draw_portrait(rng, image, box)
        return
    w, h = box[2] - box[0], box[3] - box[1]
    backdrop = (
        rng.choice(((236, 242, 250), (214, 232, 250), (250, 250, 250)))
        if style == "studio"
        else (248, 248, 248)
    )
    tile = Image.new("RGB", (w, h), _near(rng, backdrop, 4))
    draw = ImageDraw.Draw(tile)
    cx = w * rng.uniform(0.45, 0.55)
    if style == "studio":
        suit, skin, hair = (
            _near(rng, (30, 34, 48), 10),
            _near(rng, (222, 186, 160), 14),
            _near(rng, (20, 18, 16), 6),
        )
    else:
        suit, skin, hair = (96, 96, 96), (172, 172, 172), (70, 70, 70)
    draw.polygon([(0, h), (w * 0.08, h * 0.78), (w * 0.92, h * 0.78), (w, h)], fill=suit)
    draw.rectangle((cx - w * 0.08, h * 0.55, cx + w * 0.08, h * 0.8), fill=skin)
    if style == "studio":  # a shirt collar
        draw.polygon(
            [(cx - w * 0.1, h * 0.78), (cx, h * 0.92), (cx + w * 0.1, h * 0.78)], fill=(246, 246, 246)
        )
    head = (cx - w * 0.21, h * 0.14, cx + w * 0.21, h * 0.62)
    draw.ellipse((head[0] - w * 0.02, head[1] - h * 0.03, head[2] + w * 0.02, head[3] - h * 0.2), fill=hair)
    draw.ellipse(head, fill=skin)
    image.paste(tile, box[:2])


def emblem(
    rng: random.Random, draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], style: str
) -> None:
    """An emblem-like mark in ``style`` (``classic``, ``seal``: a red disc ringed with dots,
    ``ring``: a gold ring around a red star). Not a copy of the national emblem."""
    if style == "classic":
        draw_emblem(rng, draw, box)
        return
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0) / 2
    red, gold = _near(rng, (196, 36, 40), 14), _near(rng, (226, 180, 70), 14)
    if style == "seal":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=red)
        for i in range(24):
            a = 2 * math.pi * i / 24
            px, py = cx + 0.86 * r * math.cos(a), cy + 0.86 * r * math.sin(a)
            draw.ellipse((px - r * 0.05, py - r * 0.05, px + r * 0.05, py + r * 0.05), fill=gold)
        star_r = r * 0.45
    else:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=gold, width=max(2, int(r * 0.16)))
        star_r = r * 0.6
    points = [
        (
            cx + star_r * (1 if k % 2 == 0 else 0.38) * math.sin(k * math.pi / 5),
            cy - star_r * (1 if k % 2 == 0 else 0.38) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(points, fill=gold if style == "seal" else red)


def grey_scan_look(rng: random.Random, bgr: np.ndarray) -> np.ndarray:
    """The card as a poor grey scan: no colour, paper darkened, ink lightened (low contrast)."""
    grey = bgr.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)
    paper, ink = rng.uniform(196, 222), rng.uniform(62, 96)
    out = ink + (paper - ink) * grey / 255.0
    return np.repeat(out.clip(0, 255).astype(np.uint8)[..., None], 3, axis=2)


def stamp(rng: random.Random, image: Image.Image, px_per_mm: float) -> str:
    """Print a stamp or watermark (``复印无效``, ``仅限…使用``) over the text area; return its text.

    Half-transparent and thin, as a real one: a person still reads the values through it.
    """
    text = rng.choice(STAMP_TEXTS).format(rng.choice(STAMP_PURPOSES))
    keys = fonts_covering(text)
    font = load_font(rng.choice(keys), round(rng.uniform(3.0, 5.0) * px_per_mm))
    colour = _near(rng, (214, 40, 44), 20)  # a grey family turns it grey with the rest
    opacity = rng.uniform(0.22, 0.4)
    layer = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(layer)
    tiled = rng.random() < 0.35  # a repeated line of small watermark text, or one large stamp
    if tiled:
        font = load_font(rng.choice(keys), round(rng.uniform(2.2, 3.0) * px_per_mm))
        y = rng.uniform(4, 12) * px_per_mm
        while y < image.height:
            draw.text((rng.uniform(-20, 0) * px_per_mm, y), ("  " + text) * 6, font=font, fill=255)
            y += rng.uniform(9, 14) * px_per_mm
    else:
        x, y = rng.uniform(8, 40) * px_per_mm, rng.uniform(14, 40) * px_per_mm
        bbox = draw.textbbox((x, y), text, font=font)
        pad = 1.2 * px_per_mm
        if rng.random() < 0.6:  # the frame of a rectangular stamp
            draw.rectangle(
                (bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad),
                outline=255,
                width=max(2, int(0.35 * px_per_mm)),
            )
        draw.text((x, y), text, font=font, fill=255)
    layer = layer.rotate(
        rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR, center=(image.width / 2, image.height / 2)
    )
    alpha = np.asarray(layer, np.float32)[..., None] / 255.0 * opacity
    base = np.asarray(image, np.float32)
    out = base * (1 - alpha) + np.array(colour, np.float32) * alpha
    image.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB"))
    return text

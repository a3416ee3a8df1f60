"""Drawing the two sides of a second-generation card (85.6 × 54 mm) with each field's text box.

Cards are drawn at ``DRAW_PX_PER_MM`` (20 px/mm) so text edges stay clean when a photo is later
made from them; :func:`downscale` gives the canonical 10 px/mm card. Positions are in millimetres
from the card's top-left, after the real layout, moved per card by the family's jitter (see
``layout.py``; the classic family keeps them fixed). Fonts are chosen per card among the
family's fonts (classic: the installed ``CJK_FONTS``) so that a recogniser is not tuned to one
typeface; a rare character none of a family's fonts draws falls back to those.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from idcard_ocr.synth.art_styles import emblem, grey_scan_look, pattern_background, portrait, stamp
from idcard_ocr.synth.card_art import security_background
from idcard_ocr.synth.families import CLASSIC, Family
from idcard_ocr.synth.fonts import OCRB_FONT, fonts_covering, load_font, require_fonts
from idcard_ocr.synth.identities import Identity
from idcard_ocr.synth.layout import BACK_ROWS, BACK_VALUES, FRONT_ROWS, FRONT_VALUES, PrintLayout

CARD_MM = (85.6, 54.0)
DRAW_PX_PER_MM = 20
CANONICAL_PX_PER_MM = 10
CORNER_RADIUS_MM = 3.2
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
CardSide = Literal["front", "back"]


@dataclass
class CardImage:
    """A drawn card: BGR pixels, the rounded-corner mask, and each field's box in card pixels.

    Box keys: front ``name sex nation year month day address_1..3 number``; back ``authority
    timelimit``. Each box is TL, TR, BR, BL of the ink of that text.
    """

    side: CardSide
    bgr: np.ndarray
    mask: np.ndarray  # uint8, 255 inside the card's rounded outline
    px_per_mm: float
    boxes: dict[str, Quad] = field(default_factory=dict)
    fonts: dict[str, str] = field(default_factory=dict)
    family: str = "classic"
    # Each value's offset (mm) from the nominal layout, "block" for the whole print; {} for classic.
    offsets_mm: dict[str, list[float]] = field(default_factory=dict)
    marks: list[str] = field(default_factory=list)  # stamps or watermarks printed over the text


@dataclass
class _Pen:
    draw: ImageDraw.ImageDraw
    scale: float
    boxes: dict[str, Quad]

    def text(
        self,
        key: str | None,
        x_mm: float,
        baseline_mm: float,
        text: str,
        font: ImageFont.FreeTypeFont,
        fill: tuple[int, int, int],
        spacing_mm: float = 0.0,
        max_width_mm: float | None = None,
    ) -> float:
        """Draw ``text`` from its left baseline; record its ink box under ``key``; return its end x (mm)."""
        if max_width_mm is not None:  # shrink a long value to fit its printed area, as the card does
            width = self._width(text, font, spacing_mm)
            if width > max_width_mm * self.scale:
                font = font.font_variant(size=max(8, int(font.size * max_width_mm * self.scale / width)))
        x = x_mm * self.scale
        y = baseline_mm * self.scale
        left, top, right, bottom = 1e9, 1e9, -1e9, -1e9
        for char in text if spacing_mm else [text]:
            bbox = self.draw.textbbox((x, y), char, font=font, anchor="ls")
            self.draw.text((x, y), char, font=font, fill=fill, anchor="ls")
            left, top = min(left, bbox[0]), min(top, bbox[1])
            right, bottom = max(right, bbox[2]), max(bottom, bbox[3])
            x += font.getlength(char) + spacing_mm * self.scale
        if key is not None:
            self.boxes[key] = ((left, top), (right, top), (right, bottom), (left, bottom))
        return right / self.scale

    @staticmethod
    def _width(text: str, font: ImageFont.FreeTypeFont, spacing_mm: float) -> float:
        if not spacing_mm:
            return font.getlength(text)
        return sum(font.getlength(c) for c in text) + (len(text) - 1) * spacing_mm * DRAW_PX_PER_MM


def _label_colour(rng: random.Random, family: Family) -> tuple[int, int, int]:
    base = family.art.label_colour
    if base is None:  # the classic blue range
        return (rng.randint(40, 80), rng.randint(110, 150), rng.randint(170, 205))
    spread = family.art.label_spread
    r, g, b = (min(255, max(0, c + rng.randint(-spread, spread))) for c in base)
    return (r, g, b)


def _value_colour(rng: random.Random, family: Family) -> tuple[int, int, int]:
    v = rng.randint(*family.art.value_grey)
    return (v, v, v + rng.randint(0, 10))


def _pick_font(
    rng: random.Random, text: str, prefer_style: str | None = None, pool: tuple[str, ...] | None = None
) -> str:
    choices = fonts_covering(text, prefer_style, pool) or fonts_covering(text, None, pool)
    if not choices and pool is not None:  # a rare character none of the family's fonts draws
        choices = fonts_covering(text)
    if not choices:
        raise ValueError(f"no installed font draws all of {len(text)} characters")
    return rng.choice(choices)


def _rounded_mask(width: int, height: int, radius: float) -> np.ndarray:
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=255)
    return np.asarray(mask)


def _canvas(
    rng: random.Random, family: Family, side: CardSide
) -> tuple[Image.Image, ImageDraw.ImageDraw, int, int]:
    width, height = round(CARD_MM[0] * DRAW_PX_PER_MM), round(CARD_MM[1] * DRAW_PX_PER_MM)
    art = family.art
    tint = art.front_tint if side == "front" else art.back_tint
    if art.pattern == "classic":
        image = security_background(rng, width, height, tint)
    else:
        image = pattern_background(rng, width, height, tint, art)
    return image, ImageDraw.Draw(image), width, height


def _finish(
    rng: random.Random,
    family: Family,
    side: CardSide,
    image: Image.Image,
    boxes: dict[str, Quad],
    fonts: dict[str, str],
    layout: PrintLayout,
) -> CardImage:
    marks: list[str] = []
    if family.art.stamp_chance and rng.random() < family.art.stamp_chance:
        marks.append(stamp(rng, image, DRAW_PX_PER_MM))
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    if family.art.grey_scan:
        bgr = grey_scan_look(rng, bgr)
    mask = _rounded_mask(image.width, image.height, CORNER_RADIUS_MM * DRAW_PX_PER_MM)
    card = CardImage(side, bgr, mask, DRAW_PX_PER_MM, boxes, fonts)
    if family is not CLASSIC:
        card.family = family.name
        card.offsets_mm = layout.offsets_mm()
        card.marks = marks
    return card


def _family_fonts(family: Family) -> tuple[str, ...]:
    return (*(family.label_fonts or ()), *(family.value_fonts or ()), *family.number_fonts)


def _number_face(rng: random.Random, family: Family) -> str:
    """The face this card's number is printed in: the family's only one, or one of its faces
    picked from the drawing's random state without drawing from it, so that everything else on
    the card (and the photo taken of it) is drawn as it was before the family had several."""
    faces = family.number_fonts
    if len(faces) == 1:
        return faces[0]
    state = hashlib.sha256(repr(rng.getstate()).encode()).digest()
    return faces[int.from_bytes(state[:8], "big") % len(faces)]


def _digit_scale(key: str) -> float:
    # Another face is printed at the digit height of OCR-B (the classic face, scale 1): its digits
    # differ in shape and width, not in size.
    if key == OCRB_FONT.key:
        return 1.0
    return _digit_height(OCRB_FONT.key) / _digit_height(key)


def _digit_height(key: str) -> float:
    _left, top, _right, bottom = load_font(key, 100).getbbox("0")
    return float(bottom - top)


def _fonts(
    rng: random.Random, family: Family, label_text: str, values: str, value_styles: tuple[str | None, ...]
) -> tuple[str, str]:
    label_key = _pick_font(rng, label_text, rng.choice(("sans", "serif", None)), family.label_fonts)
    value_key = _pick_font(rng, values, rng.choice(value_styles), family.value_fonts)
    return label_key, value_key


def draw_front(identity: Identity, rng: random.Random, family: Family = CLASSIC) -> CardImage:
    """The portrait side of ``identity``'s card, drawn as ``family`` draws it."""
    require_fonts(_family_fonts(family))
    lay = PrintLayout.draw(family.jitter, rng, FRONT_ROWS, FRONT_VALUES)
    image, draw, _w, _h = _canvas(rng, family, "front")
    s = DRAW_PX_PER_MM
    boxes: dict[str, Quad] = {}
    pen = _Pen(draw, s, boxes)
    values = (
        identity.name + identity.sex + identity.nation + "".join(identity.address_lines) + "年月日0123456789"
    )
    label_key, value_key = _fonts(
        rng, family, "姓名性别民族出生住址公民身份号码年月日", values, ("sans", "sans", "serif", "kai", None)
    )
    label_font = load_font(label_key, round(rng.uniform(2.3, 2.7) * s * lay.label_scale))
    value_font = load_font(value_key, round(rng.uniform(3.0, 3.35) * s * lay.value_scale))
    number_key = _number_face(rng, family)
    number_size = rng.uniform(3.1, 3.4) * s * lay.number_scale * _digit_scale(number_key)
    number_font = load_font(number_key, round(number_size))
    label, value = _label_colour(rng, family), _value_colour(rng, family)

    bx, by = lay.block
    photo_box = (round((55 + bx) * s), round((6 + by) * s), round((81 + bx) * s), round((40 + by) * s))
    portrait(rng, image, photo_box, family.art.portrait)
    ls = 1.6 + lay.label_spacing
    pen.text(None, *lay.label("name", 5, 10.5), "姓名", label_font, label, spacing_mm=ls)
    x, y = lay.value("name", 16, 10.6)
    pen.text(
        "name", x, y, identity.name, value_font, value, spacing_mm=lay.letter, max_width_mm=lay.room(x, 53)
    )
    pen.text(None, *lay.label("sex", 5, 17.5), "性别", label_font, label, spacing_mm=ls)
    pen.text("sex", *lay.value("sex", 16, 17.6), identity.sex, value_font, value)
    pen.text(None, *lay.label("nation", 29, 17.5), "民族", label_font, label, spacing_mm=ls)
    x, y = lay.value("nation", 40, 17.6)
    nation_room = lay.room(x, 54) if lay.moves else None  # classic: as drawn before, never shrunk
    pen.text("nation", x, y, identity.nation, value_font, value, max_width_mm=nation_room)
    pen.text(None, *lay.label("birth", 5, 24.5), "出生", label_font, label, spacing_mm=ls)
    # Birth is printed "1989 年 12 月 1 日": the numbers in the value colour, the units as labels.
    x, y = lay.value("year", 16, 24.6)
    unit_y = lay.value("year", 16, 24.5)[1]
    x = pen.text("year", x, y, str(identity.birth.year), value_font, value)
    x = pen.text(None, x + 1.2, unit_y, "年", label_font, label)
    x = pen.text("month", x + 1.2, y, str(identity.birth.month), value_font, value)
    x = pen.text(None, x + 1.2, unit_y, "月", label_font, label)
    x = pen.text("day", x + 1.2, y, str(identity.birth.day), value_font, value)
    pen.text(None, x + 1.2, unit_y, "日", label_font, label)
    pen.text(None, *lay.label("address", 5, 31.5), "住址", label_font, label, spacing_mm=ls)
    line_gap = rng.uniform(4.6, 5.0) * lay.value_scale
    x, y = lay.value("address", 16, 31.6)
    for i, line in enumerate(identity.address_lines, start=1):
        pen.text(
            f"address_{i}", x, y + (i - 1) * line_gap, line, value_font, value,
            spacing_mm=lay.letter, max_width_mm=lay.room(x, 54),
        )  # fmt: skip
    pen.text(None, *lay.label("number", 5, 49.5), "公民身份号码", label_font, label, spacing_mm=0.3)
    x, y = lay.value("number", 27.5, 49.8)
    pen.text(
        "number", x, y, identity.number, number_font, value,
        spacing_mm=rng.uniform(0.35, 0.6), max_width_mm=lay.room(x, 79.5),
    )  # fmt: skip
    fonts = {"label": label_key, "value": value_key, "number": number_key}
    return _finish(rng, family, "front", image, boxes, fonts, lay)


def draw_back(identity: Identity, rng: random.Random, family: Family = CLASSIC) -> CardImage:
    """The emblem side of ``identity``'s card, drawn as ``family`` draws it."""
    require_fonts(_family_fonts(family))
    lay = PrintLayout.draw(family.jitter, rng, BACK_ROWS, BACK_VALUES)
    image, draw, _w, _h = _canvas(rng, family, "back")
    s = DRAW_PX_PER_MM
    boxes: dict[str, Quad] = {}
    pen = _Pen(draw, s, boxes)
    title_key = _pick_font(rng, "中华人民共和国居民身份证", rng.choice(("sans", "serif")), family.label_fonts)
    label_key, value_key = _fonts(
        rng,
        family,
        "签发机关有效期限",
        identity.authority + identity.printed_term,
        ("sans", "serif", "kai", None),
    )
    label, value = _label_colour(rng, family), _value_colour(rng, family)
    bx, by = lay.block
    emblem(rng, draw, ((6 + bx) * s, (5 + by) * s, (22 + bx) * s, (22 + by) * s), family.art.emblem)
    title = load_font(title_key, round(4.2 * s))
    pen.text(None, 32 + bx, 10.6 + by, "中华人民共和国", title, value, spacing_mm=2.0)
    big_title = load_font(title_key, round(7.0 * s))
    pen.text(None, 32 + bx, 20.5 + by, "居民身份证", big_title, value, spacing_mm=2.2)
    label_font = load_font(label_key, round(rng.uniform(2.3, 2.7) * s * lay.label_scale))
    value_font = load_font(value_key, round(rng.uniform(2.9, 3.3) * s * lay.value_scale))
    ls = 0.6 + lay.label_spacing / 2
    pen.text(None, *lay.label("authority", 17, 42.2), "签发机关", label_font, label, spacing_mm=ls)
    x, y = lay.value("authority", 34, 42.3)
    pen.text(
        "authority", x, y, identity.authority, value_font, value,
        spacing_mm=lay.letter, max_width_mm=lay.room(x, 82),
    )  # fmt: skip
    pen.text(None, *lay.label("timelimit", 17, 49.2), "有效期限", label_font, label, spacing_mm=ls)
    x, y = lay.value("timelimit", 34, 49.3)
    pen.text("timelimit", x, y, identity.printed_term, value_font, value, max_width_mm=lay.room(x, 82))
    return _finish(rng, family, "back", image, boxes, {"label": label_key, "value": value_key}, lay)


def draw_card(identity: Identity, side: CardSide, rng: random.Random, family: Family = CLASSIC) -> CardImage:
    """Either side of ``identity``'s card, drawn as ``family`` draws it (default: classic)."""
    return draw_front(identity, rng, family) if side == "front" else draw_back(identity, rng, family)


def downscale(card: CardImage, px_per_mm: float = CANONICAL_PX_PER_MM) -> CardImage:
    """The same card at ``px_per_mm`` (10 gives the canonical 856 × 540 straightened card)."""
    factor = px_per_mm / card.px_per_mm
    size = (round(CARD_MM[0] * px_per_mm), round(CARD_MM[1] * px_per_mm))
    bgr = cv2.resize(card.bgr, size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize(card.mask, size, interpolation=cv2.INTER_AREA)
    boxes = scale_boxes(card.boxes, factor, factor)
    return replace(card, bgr=bgr, mask=mask, px_per_mm=px_per_mm, boxes=boxes)


def scale_boxes(boxes: dict[str, Quad], sx: float, sy: float) -> dict[str, Quad]:
    """``boxes`` with every x multiplied by ``sx`` and every y by ``sy``."""
    return {
        k: ((a[0] * sx, a[1] * sy), (b[0] * sx, b[1] * sy), (c[0] * sx, c[1] * sy), (d[0] * sx, d[1] * sy))
        for k, (a, b, c, d) in boxes.items()
    }


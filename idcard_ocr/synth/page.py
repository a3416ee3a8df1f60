"""Photos that hold several cards, with their truth: copy pages and two-card desk photos.

``copy_page``: the 身份证复印件 a back office receives, both sides of one card photocopied onto
an A4 page (front above back, or the other way), grey, each side upright or turned half-way
(sometimes a quarter), a stamp such as ``复印无效`` across each card's print. ``rough`` copies
draw more of what makes a copy's sides hard to tell apart: one side copied faint or dark beside
the other, quarter turns, stamps across the front's labels, the two cards close together or
overlapping a little.
``desk_photo``: the front and the back of one card side by side on a desk, photographed.

Each returns a ``PagePhoto``: the JPEG and one ``PageCard`` per card (side, rotate, info and
the upright card's corners in photo pixels). ``sides`` chooses which cards are laid out; one
side alone gives the single-card photo of the same conditions that multi-card reading is
compared with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from idcard_ocr.synth import degrade
from idcard_ocr.synth.backgrounds import make_background
from idcard_ocr.synth.card import CardImage, CardSide, draw_card
from idcard_ocr.synth.dataset import write_truth
from idcard_ocr.synth.families import CLASSIC, Family, get_family
from idcard_ocr.synth.fonts import fonts_covering, load_font
from idcard_ocr.synth.identities import Identity, make_identities
from idcard_ocr.synth.photo import _composite, _resized_card, card_to_photo_quad, encode_jpeg

PAGE_KINDS: tuple[str, ...] = ("copy", "desk")
A4_ASPECT = 297 / 210
CARD_MM_WIDTH = 85.6
STAMPS: tuple[str, ...] = ("复印无效", "仅限办理开户使用", "再次复印无效", "仅供贷款审核使用")
DESK_BACKGROUNDS: tuple[str, ...] = ("wood", "cloth", "paper", "desk")
Sides = tuple[CardSide, ...]
BOTH: Sides = ("front", "back")
DESK_SIZES: tuple[tuple[int, int], ...] = ((1600, 1200), (1920, 1080), (2048, 1536), (1440, 1080))


@dataclass
class PageCard:
    """One card on a page, as the API must report it."""

    side: CardSide
    rotate: int
    info: dict[str, str]
    quad: list[list[float]]  # upright card's TL, TR, BR, BL in photo pixels

    def record(self) -> dict[str, Any]:
        return {"side": self.side, "rotate": self.rotate, "info": self.info, "quad": self.quad}


@dataclass
class PagePhoto:
    """An encoded photo of several cards, the cards in reading order (top to bottom, left to
    right). Each card's ``quad`` starts at its own top-left corner, wherever that lies."""

    jpeg: bytes
    kind: str
    width: int
    height: int
    cards: list[PageCard] = field(default_factory=list)


def _page_rotation(rng: random.Random, rough: bool = False) -> int:
    # Upright or half-way round as the card went onto the copier glass; now and then a quarter.
    weights = (0.3, 0.2, 0.25, 0.25) if rough else (0.45, 0.35, 0.1, 0.1)
    return rng.choices((0, 180, 90, 270), weights=weights)[0]


def _toned(rng: random.Random, card: CardImage) -> CardImage:
    """The card as one pass of a copier gives it: as it is, faint (washed towards the paper),
    or dark (its pale art pushed towards its print), so that a page's two sides differ in tone."""
    tone = rng.choice(("as is", "faint", "dark"))
    if tone == "as is":
        return card
    bgr = card.bgr.astype(np.float32)
    if tone == "faint":
        bgr = bgr + (255 - bgr) * rng.uniform(0.3, 0.55)
    else:
        bgr = (255 * (bgr / 255) ** rng.uniform(1.6, 2.4)).astype(np.float32)
    return replace(card, bgr=bgr.clip(0, 255).astype(np.uint8))


def _placed(card: CardImage, rotate: int, tilt: float, pitch: float, yaw: float,
            centre: tuple[float, float], width_px: float) -> np.ndarray:
    """The card's corners turned and tilted, scaled to ``width_px`` across, centred on ``centre``."""
    shape = card_to_photo_quad(card.bgr.shape[1], card.bgr.shape[0], rotate, tilt, pitch, yaw)
    shape = shape * (width_px / card.bgr.shape[1])
    return shape + np.asarray(centre) - shape.mean(axis=0)


def _stamp(rng: random.Random, image: np.ndarray, quad: np.ndarray, rough: bool = False) -> np.ndarray:
    """A red stamp's words across the card's print, at a slant, half transparent; ``rough``:
    anywhere from the card's labels (its left part, a front's 姓名 性别 出生 住址) to its right."""
    fonts = fonts_covering("".join(STAMPS))
    if not fonts:
        return image
    text = rng.choice(STAMPS)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    size = max(12, int(width * rng.uniform(0.07, 0.1)))
    font = load_font(rng.choice(fonts), size)
    box = font.getbbox(text)
    layer = Image.new("L", (int(box[2]) + size, int(box[3]) + size), 0)
    ImageDraw.Draw(layer).text((size // 2, size // 2), text, font=font, fill=255)
    turned = layer.rotate(rng.uniform(-25, 25), expand=True, resample=Image.Resampling.BILINEAR)
    alpha = np.asarray(turned, np.float32) / 255 * rng.uniform(0.4, 0.6)
    along = rng.uniform(-0.3, 0.15) if rough else rng.uniform(-0.15, 0.15)
    centre = quad.mean(axis=0) + along * (quad[1] - quad[0])
    h, w = alpha.shape
    x0, y0 = int(centre[0] - w / 2), int(centre[1] - h / 2)
    out = image.astype(np.float32)
    xs, ys = slice(max(x0, 0), min(x0 + w, image.shape[1])), slice(max(y0, 0), min(y0 + h, image.shape[0]))
    a = alpha[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0, None]
    red = np.array([40, 40, 200], np.float32)
    out[ys, xs] = out[ys, xs] * (1 - a) + red * a
    return out.clip(0, 255).astype(np.uint8)


def _truth(identity: Identity, side: CardSide, rotate: int, quad: np.ndarray) -> PageCard:
    info = identity.front_info() if side == "front" else identity.back_info()
    return PageCard(side, rotate, info, quad.round(2).tolist())


def copy_page(
    identity: Identity, rng: random.Random, sides: Sides = BOTH, family: Family = CLASSIC, rough: bool = False
) -> PagePhoto:
    """An A4 photocopy (scanned) of ``sides`` of ``identity``'s card, drawn as ``family`` draws
    it, one above the other (``rough``: see the module's note)."""
    width = rng.randint(1100, 1500)
    height = round(width * A4_ASPECT)
    page = np.full((height, width, 3), rng.randint(238, 252), np.uint8)
    card_px = width * CARD_MM_WIDTH / 210
    order = list(sides) if rng.random() < 0.8 else list(reversed(sides))
    rows = (0.27, 0.7) if len(order) == 2 else (rng.uniform(0.25, 0.6),)
    cards: list[PageCard] = []
    for side, row in zip(order, rows, strict=True):
        card = draw_card(identity, side, rng, family)
        if rough:
            card = _toned(rng, card)
        rotate = _page_rotation(rng, rough)
        centre = (width * rng.uniform(0.4, 0.6), height * (row + rng.uniform(-0.04, 0.04)))
        quad = _placed(card, rotate, rng.uniform(-2, 2), 0, 0, centre, card_px)
        if rough and cards:  # just below the card above: a small gap, or overlapping it a little
            above = np.asarray(cards[-1].quad)[:, 1].max()
            quad[:, 1] += above + rng.uniform(-0.04, 0.06) * card_px - quad[:, 1].min()
        page = _composite(page, _resized_card(card, card_px), quad, soft_shadow=False)
        # The copier's light catches the card's thick edge: a thin grey rim where it lay.
        rim = rng.randint(90, 170)
        outline = [np.round(quad).astype(np.int32)]
        cv2.polylines(page, outline, True, (rim, rim, rim), rng.choice((1, 2)), cv2.LINE_AA)
        page = _stamp(rng, page, quad, rough)
        cards.append(_truth(identity, side, rotate, quad))
    image = degrade.photocopy(rng, page)
    image = degrade.sensor_noise(rng, image, rng.uniform(1, 4))
    return PagePhoto(encode_jpeg(image, rng.randint(70, 90)), "copy", width, height, cards)


def desk_photo(
    identity: Identity, rng: random.Random, sides: Sides = BOTH, family: Family = CLASSIC
) -> PagePhoto:
    """A phone photo of ``sides`` of ``identity``'s card, drawn as ``family`` draws it, lying
    side by side on a desk."""
    width, height = rng.choice(DESK_SIZES)
    image = make_background(rng, rng.choice(DESK_BACKGROUNDS), width, height)
    slots = len(sides)
    rotate = rng.choice((0, 0, 0, 180))  # the phone's way up turns both cards alike
    cards: list[PageCard] = []
    for i, side in enumerate(sides):
        card = draw_card(identity, side, rng, family)
        card_px = width / slots * rng.uniform(0.62, 0.78) if slots == 2 else width * rng.uniform(0.4, 0.6)
        across = width * ((i + 0.5) / slots + rng.uniform(-0.03, 0.03))
        centre = (across, height * rng.uniform(0.4, 0.6))
        tilt, pitch, yaw = rng.uniform(-6, 6), rng.uniform(-5, 5), rng.uniform(-5, 5)
        quad = _placed(card, rotate, tilt, pitch, yaw, centre, card_px)
        image = _composite(image, _resized_card(card, card_px), quad, soft_shadow=True)
        cards.append(_truth(identity, side, rotate, quad))
    image = degrade.uneven_light(rng, image, rng.uniform(0.05, 0.25))
    image = degrade.colour_cast(rng, image, 0.06)
    image = degrade.sensor_noise(rng, image, rng.uniform(1, 5))
    return PagePhoto(encode_jpeg(image, rng.randint(60, 90)), "desk", width, height, cards)


def make_page(
    identity: Identity,
    kind: str,
    seed: str,
    sides: Sides = BOTH,
    family: str = "classic",
    rough: bool = False,
) -> PagePhoto:
    """A ``kind`` photo (``copy`` or ``desk``) of ``sides``, the cards drawn as ``family`` (a
    name in ``families.FAMILIES``; ``heldout`` is the one nothing is tuned on) draws them;
    ``seed`` fixes every random choice. ``rough``: copy pages whose sides are harder to tell
    apart (``copy_page``)."""
    rng = random.Random(seed)
    style = get_family(family)
    if kind == "copy":
        return copy_page(identity, rng, sides, style, rough)
    if kind == "desk":
        return desk_photo(identity, rng, sides, style)
    raise ValueError(f"unknown page kind {kind!r}")


def page_case(
    out_dir: Path, file: str, identity: Identity, kind: str, seed: str, sides: Sides = BOTH
) -> dict[str, Any]:
    """Write one ``kind`` photo of ``sides`` to ``out_dir/file``; return its truth record:
    ``{"file", "kind", "cards": [{"side", "rotate", "info", "quad"}, ...]}``, cards in reading
    order."""
    photo = make_page(identity, kind, seed, sides)
    (out_dir / file).write_bytes(photo.jpeg)
    return {"file": file, "kind": kind, "cards": [card.record() for card in photo.cards]}


def generate_pages(out_dir: str | Path, per_kind: int, seed: int = 0) -> list[dict[str, Any]]:
    """Write ``per_kind`` copy pages and desk photos (both sides of one identity each) and their
    ``truth.json`` to ``out_dir``; return the records. Same seed, same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    identities = make_identities(per_kind * len(PAGE_KINDS), seed=seed)
    records = [
        page_case(out, f"{kind}_{i + 1:04d}.jpg", identities[k * per_kind + i], kind, f"{seed}:{kind}:{i}")
        for k, kind in enumerate(PAGE_KINDS)
        for i in range(per_kind)
    ]
    write_truth(out, records)
    return records

"""Photos with known answers for the extras tests: a clean card from ``idcard_ocr.synth`` and the
damage that should raise each warning (blur, glare, grey copy, screen grid, thumb, cut-off,
shrinking), each keeping the card's exact corners."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date

import cv2
import numpy as np

from idcard_ocr.synth.card import CardSide, draw_card
from idcard_ocr.synth.identities import Identity, make_identity
from idcard_ocr.synth.photo import make_photo


@dataclass
class CardPhoto:
    """A photo (BGR, as displayed) of a card, with the card's TL, TR, BR, BL and field boxes."""

    image: np.ndarray
    quad: np.ndarray
    fields: dict[str, list[list[float]]]
    identity: Identity
    side: CardSide

    def jpeg(self, quality: int = 90) -> bytes:
        """The photo as JPEG bytes."""
        ok, buffer = cv2.imencode(".jpg", self.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return bytes(buffer.tobytes())

    def with_image(self, image: np.ndarray, quad: np.ndarray | None = None) -> CardPhoto:
        """The same card with other pixels (and corners, when they moved)."""
        return replace(self, image=image, quad=self.quad if quad is None else quad)


def clean_photo(seed: str, side: CardSide = "front", identity: Identity | None = None) -> CardPhoto:
    """A clean flat scan of a drawn card (the ``clean`` condition of the synthetic sets)."""
    rng = random.Random(seed)
    person = identity or make_identity(rng)
    card = draw_card(person, side, rng)
    photo = make_photo(card, rng, "clean", 0)
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return CardPhoto(image, np.asarray(photo.quad, np.float64), photo.fields, person, side)


def expired_identity(seed: str) -> Identity:
    """A holder whose card's ten-year term ended in 2020."""
    person = make_identity(random.Random(seed), long_term=False)
    return replace(person, issue=date(2010, 3, 15), expiry=date(2020, 3, 15))


def _card_mask(photo: CardPhoto) -> np.ndarray:
    mask = np.zeros(photo.image.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(photo.quad).astype(np.int32), 1)
    return mask


def _card_point(photo: CardPhoto, u: float, v: float) -> np.ndarray:
    """The photo point at fraction ``u`` across and ``v`` down the card."""
    tl, tr, br, bl = photo.quad
    top, bottom = tl + (tr - tl) * u, bl + (br - bl) * u
    return np.asarray(top + (bottom - top) * v)


def blurred(photo: CardPhoto, sigma: float = 4.0) -> CardPhoto:
    """Out of focus."""
    return photo.with_image(cv2.GaussianBlur(photo.image, (0, 0), sigma))


def with_glare(photo: CardPhoto) -> CardPhoto:
    """A bright specular spot over the card's middle."""
    h, w = photo.image.shape[:2]
    cx, cy = _card_point(photo, 0.45, 0.55)
    radius = float(np.linalg.norm(photo.quad[1] - photo.quad[0])) * 0.08
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    spot = np.exp(-(((xs - cx) ** 2 + (ys - cy) ** 2) / radius**2))
    return photo.with_image((photo.image + spot[..., None] * 400.0).clip(0, 255).astype(np.uint8))


def greyed(photo: CardPhoto) -> CardPhoto:
    """A grey photocopy under a slightly warm lamp (the cast must not pass for colour)."""
    grey = cv2.cvtColor(cv2.cvtColor(photo.image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    warm = grey.astype(np.float32) * np.array([0.92, 0.97, 1.0], np.float32)
    return photo.with_image(warm.clip(0, 255).astype(np.uint8))


def on_screen(photo: CardPhoto) -> CardPhoto:
    """Shown on a display and photographed: RGB sub-pixel stripes and dark rows every 3 px."""
    h, w = photo.image.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    grid = np.full((h, w, 3), 0.75, np.float32)
    for channel in range(3):
        grid[..., channel][(xs % 3) == 2 - channel] = 1.0
    grid[(ys % 3) == 0] *= 0.6
    return photo.with_image((photo.image * grid).clip(0, 255).astype(np.uint8))


def with_thumb(photo: CardPhoto) -> CardPhoto:
    """A skin-coloured thumb from the card's bottom edge over the address and number."""
    h, w = photo.image.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    tip = _card_point(photo, 0.35, 0.55)
    base = _card_point(photo, 0.35, 1.4)
    width = float(np.linalg.norm(photo.quad[1] - photo.quad[0])) * 0.2
    cv2.line(mask, tuple(np.round(base).astype(int)), tuple(np.round(tip).astype(int)), 1, int(width))
    cv2.circle(mask, tuple(np.round(tip).astype(int)), int(width / 2), 1, -1)
    skin = np.array([120, 150, 215], np.float32)  # BGR
    shade = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 3.0)[..., None]
    out = photo.image * (1 - shade) + skin * shade
    return photo.with_image(out.clip(0, 255).astype(np.uint8))


def cut_off(photo: CardPhoto, share: float = 0.15) -> CardPhoto:
    """The right ``share`` of the card falls outside the frame."""
    right = float(photo.quad[:, 0].max())
    keep = int(right - share * float(np.ptp(photo.quad[:, 0])))
    return photo.with_image(np.ascontiguousarray(photo.image[:, :keep]))


def shrunk(photo: CardPhoto, card_share: float = 0.14) -> CardPhoto:
    """The card scaled down to ``card_share`` of the frame's width on a large plain desk."""
    h, w = photo.image.shape[:2]
    span = float(np.ptp(photo.quad[:, 0]))
    factor = card_share * w / span
    small = cv2.resize(photo.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    canvas = np.full_like(photo.image, 0)
    canvas[...] = np.array([90, 110, 130], np.uint8)
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return photo.with_image(canvas, photo.quad * factor + np.array([x0, y0], np.float64))


def temporary_photo(seed: str) -> CardPhoto:
    """A clean scan of a front whose header reads 临时居民身份证, as a temporary card's does."""
    from PIL import Image, ImageDraw

    from idcard_ocr.synth.card import DRAW_PX_PER_MM
    from idcard_ocr.synth.fonts import fonts_covering, load_font

    rng = random.Random(seed)
    person = make_identity(rng)
    card = draw_card(person, "front", rng)
    canvas = Image.fromarray(cv2.cvtColor(card.bgr, cv2.COLOR_BGR2RGB))
    font = load_font(fonts_covering("临时居民身份证")[0], round(3.6 * DRAW_PX_PER_MM))
    origin = (12 * DRAW_PX_PER_MM, 1.2 * DRAW_PX_PER_MM)  # above the name, where the header goes
    ImageDraw.Draw(canvas).text(origin, "临时居民身份证", font=font, fill=(20, 20, 20))
    card.bgr = cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR)
    photo = make_photo(card, rng, "clean", 0)
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return CardPhoto(image, np.asarray(photo.quad, np.float64), photo.fields, person, "front")

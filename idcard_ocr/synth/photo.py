"""Turning a drawn card into a phone photo or a scan whose card corners and field boxes are known.

Geometry first: the card is turned by ``rotate`` (0/90/180/270 clockwise, the contract's
convention), tilted in the image plane and out of it (perspective), scaled and placed, giving one
homography from card pixels to photo pixels. The ground-truth ``quad`` and field boxes are that
homography applied to the card's corners and boxes, so they are exact. Then photometric damage
(which moves no pixel) and JPEG encoding.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np
from PIL import Image

from idcard_ocr.synth import degrade, legibility
from idcard_ocr.synth.backgrounds import BACKGROUND_KINDS, make_background
from idcard_ocr.synth.card import CardImage, scale_boxes
from idcard_ocr.synth.occlusion import hold_with_thumb

# Each photo is made under one named condition so accuracy can be split by it.
PHOTO_CONDITIONS: tuple[str, ...] = (
    "phone",
    "held",
    "exif",
    "tilt",
    "clutter",
    "blur",
    "noise",
    "light",
    "glare",
    "colour",
    "photocopy",
    "lowres",
)
CONDITIONS: tuple[str, ...] = ("clean", *PHOTO_CONDITIONS)
PHONE_SIZES: tuple[tuple[int, int], ...] = (
    (1280, 960),
    (1600, 1200),
    (960, 1280),
    (1200, 1600),
    (1024, 768),
    (1920, 1080),
    (1080, 1440),
    (1440, 1080),
    (800, 600),
    (720, 960),
    (2048, 1536),
)
SCAN_SIZES: tuple[tuple[int, int], ...] = ((1000, 660), (1200, 780), (960, 640), (1400, 900))
MAX_SIDE = 4000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Photo:
    """An encoded photo of a card and its exact geometry."""

    jpeg: bytes
    width: int
    height: int
    rotate: int
    condition: str
    quad: list[list[float]]  # upright card's TL, TR, BR, BL in photo pixels
    fields: dict[str, list[list[float]]] = field(default_factory=dict)
    homography: np.ndarray | None = None  # card pixels -> photo pixels
    # EXIF Orientation tag stored with the JPEG (1: none). Geometry above is for the photo as
    # displayed, i.e. after the tag is applied, which is what the API does before recognition.
    exif_orientation: int = 1
    # What decides whether a person could read the values (see ``legibility.assess``).
    legibility: dict[str, Any] = field(default_factory=dict)


def card_to_photo_quad(
    card_w: float, card_h: float, rotate: int, tilt_deg: float, pitch_deg: float, yaw_deg: float
) -> np.ndarray:
    """Corners TL, TR, BR, BL of a card turned ``rotate + tilt_deg`` clockwise and seen at
    ``pitch_deg``/``yaw_deg`` out of plane, centred on (0, 0), in card-pixel units."""
    x, y = card_w / 2, card_h / 2
    corners = np.array([[-x, -y, 0], [x, -y, 0], [x, y, 0], [-x, y, 0]], np.float64)
    a, b = math.radians(pitch_deg), math.radians(yaw_deg)
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    tilted = corners @ (ry @ rx).T
    focal = 1.6 * card_w  # a phone's field of view at a typical holding distance
    projected = focal * tilted[:, :2] / (focal + tilted[:, 2:3])
    # Clockwise in image coordinates (y grows downwards): x' = x cos - y sin, y' = x sin + y cos.
    t = math.radians(rotate + tilt_deg)
    rz = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return np.asarray(projected @ rz.T)


def place_quad(rng: random.Random, quad: np.ndarray, width: int, height: int, fill: float) -> np.ndarray:
    """Scale ``quad`` so its bounding box takes ``fill`` of the frame, and place it inside."""
    span = quad.max(axis=0) - quad.min(axis=0)
    scale = fill * min(width / span[0], height / span[1])
    scaled = (quad - quad.min(axis=0)) * scale
    size = scaled.max(axis=0)
    offset = np.array([rng.uniform(0, max(0.0, width - size[0])), rng.uniform(0, max(0.0, height - size[1]))])
    return scaled + offset


def _composite(background: np.ndarray, card: CardImage, quad: np.ndarray, soft_shadow: bool) -> np.ndarray:
    height, width = background.shape[:2]
    src = np.array(
        [[0, 0], [card.bgr.shape[1], 0], [card.bgr.shape[1], card.bgr.shape[0]], [0, card.bgr.shape[0]]],
        np.float32,
    )
    matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(card.bgr, matrix, (width, height), flags=cv2.INTER_LINEAR)
    alpha = (
        cv2.warpPerspective(card.mask, matrix, (width, height), flags=cv2.INTER_LINEAR).astype(np.float32)
        / 255
    )
    base = background.astype(np.float32)
    if soft_shadow:  # the card's shadow on the surface makes its edge look like a photo's
        shadow = cv2.GaussianBlur(alpha, (0, 0), max(2.0, width / 300))
        shadow = np.roll(shadow, (int(width / 250), int(width / 250)), axis=(0, 1))
        base *= 1 - 0.35 * shadow[..., None]
    out = base * (1 - alpha[..., None]) + warped.astype(np.float32) * alpha[..., None]
    return out.clip(0, 255).astype(np.uint8)


def _resized_card(card: CardImage, target_width: float) -> CardImage:
    # Shrink the card close to its size in the photo first: warping a 4x larger image aliases.
    factor = min(1.0, 1.3 * target_width / card.bgr.shape[1])
    if factor >= 1.0:
        return card
    size = (max(8, round(card.bgr.shape[1] * factor)), max(8, round(card.bgr.shape[0] * factor)))
    sx, sy = size[0] / card.bgr.shape[1], size[1] / card.bgr.shape[0]
    boxes = scale_boxes(card.boxes, sx, sy)
    return replace(
        card,
        bgr=cv2.resize(card.bgr, size, interpolation=cv2.INTER_AREA),
        mask=cv2.resize(card.mask, size, interpolation=cv2.INTER_AREA),
        px_per_mm=card.px_per_mm * factor,
        boxes=boxes,
    )


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """JPEG bytes at ``quality``, lowered as needed to stay within the contract's 2 MB."""
    return _encode_jpeg(image, quality)[0]


def _encode_jpeg(image: np.ndarray, quality: int) -> tuple[bytes, int]:
    # The bytes and the quality they were finally written at.
    while True:
        ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:  # pragma: no cover - OpenCV cannot fail on a valid uint8 image
            raise RuntimeError("JPEG encoding failed")
        if buffer.size <= MAX_BYTES or quality <= 30:
            return buffer.tobytes(), quality
        quality -= 10


# How to store a displayed image so that EXIF ``orientation`` turns it back upright.
_STORE_FOR_ORIENTATION = {3: cv2.ROTATE_180, 6: cv2.ROTATE_90_COUNTERCLOCKWISE, 8: cv2.ROTATE_90_CLOCKWISE}


def encode_jpeg_with_orientation(image: np.ndarray, quality: int, orientation: int) -> bytes:
    """JPEG bytes whose pixels are stored turned, with the EXIF Orientation tag (3, 6 or 8) that
    displays them as ``image``: what a phone writes when held sideways or upside down."""
    return _encode_jpeg_with_orientation(image, quality, orientation)[0]


def _encode_jpeg_with_orientation(image: np.ndarray, quality: int, orientation: int) -> tuple[bytes, int]:
    stored = cv2.cvtColor(cv2.rotate(image, _STORE_FOR_ORIENTATION[orientation]), cv2.COLOR_BGR2RGB)
    exif = Image.Exif()
    exif[0x0112] = orientation
    while True:
        buffer = io.BytesIO()
        Image.fromarray(stored).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
        if buffer.tell() <= MAX_BYTES or quality <= 30:
            return buffer.getvalue(), quality
        quality -= 10


@dataclass
class _Recipe:
    background: str
    size: tuple[int, int]
    fill: float
    tilt: float
    pitch: float
    yaw: float
    quality: int


def _recipe(rng: random.Random, condition: str, max_side: int) -> _Recipe:
    if condition == "clean":
        size = rng.choice(SCAN_SIZES)
        recipe = _Recipe("scan", size, rng.uniform(0.86, 0.95), rng.uniform(-1, 1), 0, 0, rng.randint(85, 92))
    else:
        heavy_tilt = condition == "tilt"
        recipe = _Recipe(
            background="clutter" if condition == "clutter" else rng.choice(BACKGROUND_KINDS),
            size=rng.choice(PHONE_SIZES),
            fill=rng.uniform(0.25, 0.45) if condition == "lowres" else rng.uniform(0.45, 0.9),
            tilt=rng.uniform(-15, 15) if heavy_tilt else rng.uniform(-6, 6),
            pitch=rng.uniform(-15, 15) if heavy_tilt else rng.uniform(-6, 6),
            yaw=rng.uniform(-15, 15) if heavy_tilt else rng.uniform(-6, 6),
            quality=rng.randint(50, 90),
        )
    w, h = recipe.size
    if max(w, h) > max_side:
        shrink = max_side / max(w, h)
        recipe.size = (round(w * shrink), round(h * shrink))
    return recipe


@dataclass
class _Blur:
    # How much each damage step blurred or shrank the photo (photo pixels; 1.0: not shrunk).
    focus_sigma: float = 0.0
    motion_length: float = 0.0
    copy_sigma: float = 0.0
    downscale: float = 1.0
    glare: np.ndarray | None = None  # grey levels a glare spot added to each photo pixel
    unglared: np.ndarray | None = None  # the photo just before its glare
    glared: np.ndarray | None = None  # the photo right after its glare, before blur and noise


def _damage(
    rng: random.Random, condition: str, image: np.ndarray, quad: np.ndarray
) -> tuple[np.ndarray, _Blur]:
    # Random amounts are drawn here, in the order the damage functions would draw them, so that
    # recording them leaves every photo of a given seed unchanged.
    blur = _Blur()
    if condition == "clean":
        return degrade.sensor_noise(rng, image, sigma=rng.uniform(0.5, 2.0)), blur
    # Every phone photo gets a little of everything; its named condition gets the heavy dose.
    image = degrade.uneven_light(rng, image, 0.6 if condition == "light" else rng.uniform(0.05, 0.25))
    if condition == "light" or rng.random() < 0.15:
        image = degrade.cast_shadow(rng, image)
    if condition == "glare" or rng.random() < 0.1:
        added: list[np.ndarray] = []
        blur.unglared = image
        image = degrade.glare(rng, image, quad, added)
        blur.glare, blur.glared = added[0], image
    image = degrade.colour_cast(rng, image, 0.25 if condition == "colour" else 0.06)
    if condition == "photocopy":
        image = degrade.photocopy(rng, image)
        blur.copy_sigma = legibility.PHOTOCOPY_SIGMA
    if condition == "blur":
        if rng.random() < 0.5:
            blur.motion_length = rng.randint(5, 13)
            image = degrade.motion_blur(rng, image, int(blur.motion_length))
        else:
            blur.focus_sigma = rng.uniform(1.2, 2.6)
            image = degrade.focus_blur(rng, image, blur.focus_sigma)
    elif rng.random() < 0.3:
        blur.focus_sigma = rng.uniform(0.5, 1.0)
        image = degrade.focus_blur(rng, image, blur.focus_sigma)
    if condition == "lowres":
        blur.downscale = rng.uniform(0.3, 0.6)
        image = degrade.lose_resolution(rng, image, blur.downscale)
    noise = rng.uniform(8, 16) if condition == "noise" else rng.uniform(1, 5)
    return degrade.sensor_noise(rng, image, noise), blur


def make_photo(
    card: CardImage, rng: random.Random, condition: str, rotate: int, max_side: int = MAX_SIDE
) -> Photo:
    """A photo of ``card`` under ``condition`` (one of ``CONDITIONS``), turned ``rotate`` degrees
    clockwise (0, 90, 180, 270), at most ``max_side`` pixels on its longer side."""
    if condition not in CONDITIONS or rotate not in (0, 90, 180, 270):
        raise ValueError(f"unknown condition {condition!r} or rotation {rotate}")
    recipe = _recipe(rng, condition, min(max_side, MAX_SIDE))
    width, height = recipe.size
    if condition == "clean" and rotate in (90, 270):
        width, height = height, width  # a card scanned sideways gives a portrait scan
    card_w, card_h = card.bgr.shape[1], card.bgr.shape[0]
    shape = card_to_photo_quad(card_w, card_h, rotate, recipe.tilt, recipe.pitch, recipe.yaw)
    quad = place_quad(rng, shape, width, height, recipe.fill)
    card = _resized_card(card, float(np.linalg.norm(quad[1] - quad[0])))
    background = make_background(rng, recipe.background, width, height)
    image = _composite(background, card, quad, soft_shadow=condition != "clean")
    src = np.array(
        [[0, 0], [card.bgr.shape[1], 0], [card.bgr.shape[1], card.bgr.shape[0]], [0, card.bgr.shape[0]]],
        np.float64,
    )
    matrix = cv2.getPerspectiveTransform(src.astype(np.float32), quad.astype(np.float32)).astype(np.float64)
    if condition == "held" or (condition != "clean" and rng.random() < 0.1):
        for _ in range(2 if condition == "held" and rng.random() < 0.4 else 1):
            image = hold_with_thumb(rng, image, matrix, card.px_per_mm)
    image, blur = _damage(rng, condition, image, quad)
    fields = {
        key: cv2.perspectiveTransform(np.array([box], np.float64), matrix)[0].round(1).tolist()
        for key, box in card.boxes.items()
    }
    orientation = rng.choice((6, 6, 8, 3)) if condition == "exif" else 1
    jpeg, quality = (
        _encode_jpeg_with_orientation(image, recipe.quality, orientation)
        if orientation != 1
        else _encode_jpeg(image, recipe.quality)
    )
    readable = legibility.assess(
        quad, blur.focus_sigma, blur.motion_length, blur.copy_sigma, blur.downscale, quality,
        glare_contrast=legibility.glare_contrast(blur.unglared, blur.glared, blur.glare, fields),
    )
    return Photo(
        jpeg=jpeg,
        width=width,
        height=height,
        rotate=rotate,
        condition=condition,
        quad=quad.round(2).tolist(),
        fields=fields,
        homography=matrix,
        exif_orientation=orientation,
        legibility=readable,
    )

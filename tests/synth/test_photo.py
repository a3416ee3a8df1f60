"""Photo geometry: the truth's quad, rotation and field boxes land exactly where the card is."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from idcard_ocr.synth.card import CardImage
from idcard_ocr.synth.photo import CONDITIONS, MAX_BYTES, card_to_photo_quad, make_photo

MARK = ((300, 60), (360, 60), (360, 110), (300, 110))  # a black block near the card's top-left


def _marked_card() -> CardImage:
    """A plain white 856 x 540 card with one black block whose box is known (no fonts needed)."""
    bgr = np.full((540, 856, 3), 235, np.uint8)
    cv2.rectangle(bgr, MARK[0], MARK[2], (0, 0, 0), -1)
    mask = np.full((540, 856), 255, np.uint8)
    box = tuple((float(x), float(y)) for x, y in MARK)
    return CardImage("front", bgr, mask, 10.0, {"mark": box})  # type: ignore[arg-type]


def _decode(jpeg: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize(
    ("rotate", "tl_corner"),
    [(0, "top-left"), (90, "top-right"), (180, "bottom-right"), (270, "bottom-left")],
)
def test_rotation_moves_the_top_left_corner_clockwise(rotate: int, tl_corner: str) -> None:
    quad = card_to_photo_quad(856, 540, rotate, 0, 0, 0)
    tl = quad[0]
    right, bottom = tl[0] > 0, tl[1] > 0
    assert tl_corner == ("bottom" if bottom else "top") + "-" + ("right" if right else "left")
    # cw90: the card's top edge faces right, so the run TL -> TR points down the photo.
    if rotate == 90:
        assert quad[1][1] > quad[0][1] and abs(quad[1][0] - quad[0][0]) < 1e-6


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_a_card_point_lands_where_the_truth_says(rotate: int) -> None:
    photo = make_photo(_marked_card(), random.Random(rotate), "clean", rotate, max_side=900)
    grey = _decode(photo.jpeg)
    assert grey.shape == (photo.height, photo.width)
    centre = np.mean(photo.fields["mark"], axis=0)
    assert grey[int(centre[1]), int(centre[0])] < 60  # the black block is there
    assert photo.homography is not None
    corners = np.array([[[0, 0], [856, 0], [856, 540], [0, 540]]], np.float64)
    mapped = cv2.perspectiveTransform(corners, photo.homography)[0]
    assert np.allclose(mapped, photo.quad, atol=0.02)
    # Just inside the quad is card (light), just outside on a scan is the scanner bed.
    tl, br = np.array(photo.quad[0]), np.array(photo.quad[2])
    inside = tl + (br - tl) * 0.02
    assert grey[int(inside[1]), int(inside[0])] > 180


@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_condition_gives_a_valid_upload(condition: str) -> None:
    photo = make_photo(_marked_card(), random.Random(1), condition, 0, max_side=640)
    assert len(photo.jpeg) <= MAX_BYTES
    with Image.open(io.BytesIO(photo.jpeg)) as image:
        assert image.format == "JPEG" and ImageOps.exif_transpose(image).size == (photo.width, photo.height)
    assert max(photo.width, photo.height) <= 640
    xs, ys = zip(*photo.quad, strict=True)
    assert min(xs) >= -0.5 and max(xs) <= photo.width + 0.5
    assert min(ys) >= -0.5 and max(ys) <= photo.height + 0.5


def test_perspective_keeps_the_corner_order() -> None:
    rng = random.Random(5)
    for _ in range(20):
        photo = make_photo(_marked_card(), rng, "tilt", rng.choice((0, 90, 180, 270)), max_side=500)
        quad = np.array(photo.quad, np.float32)
        # TL, TR, BR, BL of a card seen from its front run clockwise on screen: positive area.
        area = 0.5 * sum(
            quad[i][0] * quad[(i + 1) % 4][1] - quad[(i + 1) % 4][0] * quad[i][1] for i in range(4)
        )
        assert area > 0


def test_same_seed_same_bytes() -> None:
    first = make_photo(_marked_card(), random.Random(9), "phone", 90, max_side=500)
    second = make_photo(_marked_card(), random.Random(9), "phone", 90, max_side=500)
    assert first.jpeg == second.jpeg and first.quad == second.quad


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exif_photos_are_upright_once_the_tag_is_applied(seed: int) -> None:
    photo = make_photo(_marked_card(), random.Random(seed), "exif", 90, max_side=600)
    assert photo.exif_orientation in (3, 6, 8)
    with Image.open(io.BytesIO(photo.jpeg)) as stored:
        assert stored.getexif()[0x0112] == photo.exif_orientation
        if photo.exif_orientation in (6, 8):
            assert stored.size == (photo.height, photo.width)  # pixels are kept sideways
        shown = np.asarray(ImageOps.exif_transpose(stored).convert("L"))
    assert shown.shape == (photo.height, photo.width)
    centre = np.mean(photo.fields["mark"], axis=0)
    assert shown[int(centre[1]), int(centre[0])] < 60

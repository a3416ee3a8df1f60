"""Decoding: EXIF orientation, pixel modes, size limits and broken data."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from idcard_ocr.pipeline.decode import MAX_PIXELS, decode_image
from idcard_ocr.pipeline.types import ImageDecodeError


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _marked_rgb(width: int = 120, height: int = 80) -> Image.Image:
    """A grey image with a pure red block in its top-left corner, to track orientation."""
    arr = np.full((height, width, 3), 128, dtype=np.uint8)
    arr[:20, :30] = (255, 0, 0)
    return Image.fromarray(arr, "RGB")


def test_png_rgb_becomes_bgr() -> None:
    decoded = decode_image(_encode(_marked_rgb(), "PNG"))
    assert decoded.image.shape == (80, 120, 3)
    assert decoded.image.dtype == np.uint8
    assert tuple(decoded.image[5, 5]) == (0, 0, 255)  # red, in BGR order
    assert decoded.format == "PNG"
    assert decoded.scale == 1.0


@pytest.mark.parametrize(
    ("orientation", "corner_of_red", "shape"),
    [
        (1, (0, 0), (80, 120)),
        (3, (79, 119), (80, 120)),  # turned 180
        (6, (0, 79), (120, 80)),  # camera held rotated: display turned 90 clockwise
        (8, (119, 0), (120, 80)),  # 90 counter-clockwise
    ],
)
def test_exif_orientation_applied(
    orientation: int, corner_of_red: tuple[int, int], shape: tuple[int, int]
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(_marked_rgb(), "JPEG", quality=95, exif=exif.tobytes())
    decoded = decode_image(data)
    assert decoded.image.shape[:2] == shape
    assert decoded.exif_orientation == orientation
    assert decoded.original_size == (shape[1], shape[0])
    y, x = corner_of_red
    blue, green, red = (int(v) for v in decoded.image[y, x])
    assert red > 200 and green < 60 and blue < 60


def test_grey_and_one_bit_give_three_channels() -> None:
    grey = Image.new("L", (40, 30), 200)
    for data in (_encode(grey, "PNG"), _encode(grey, "JPEG"), _encode(grey.convert("1"), "PNG")):
        decoded = decode_image(data)
        assert decoded.image.shape == (30, 40, 3)
        assert abs(int(decoded.image[10, 10, 0]) - (200 if decoded.format == "JPEG" else 255)) <= 60


def test_sixteen_bit_grey_png_is_scaled_not_clipped() -> None:
    arr = np.zeros((20, 40), dtype=np.uint16)
    arr[:, 20:] = 65535
    arr[:, :20] = 32768
    data = _encode(Image.fromarray(arr), "PNG")
    img = decode_image(data).image
    assert int(img[5, 30, 1]) == 255
    assert 120 <= int(img[5, 5, 1]) <= 135  # mid-grey, not white


def test_palette_with_transparency_lands_on_white() -> None:
    pal = Image.new("P", (20, 20), 0)
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.paste(1, (0, 0, 10, 20))
    data = _encode(pal, "PNG", transparency=0)
    img = decode_image(data).image
    assert tuple(int(v) for v in img[5, 15]) == (255, 255, 255)  # transparent -> white
    assert tuple(int(v) for v in img[5, 5]) == (0, 0, 255)  # opaque red kept


def test_rgba_alpha_composited() -> None:
    rgba = Image.new("RGBA", (10, 10), (0, 0, 255, 0))
    img = decode_image(_encode(rgba, "PNG")).image
    assert tuple(int(v) for v in img[0, 0]) == (255, 255, 255)


def test_cmyk_jpeg_converted() -> None:
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # red in CMYK
    img = decode_image(_encode(cmyk, "JPEG", quality=95)).image
    blue, green, red = (int(v) for v in img[16, 16])
    assert red > 200 and green < 60 and blue < 60


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size but carries a tiny (invalid) body: must be refused unread."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_refused_from_header() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    with pytest.raises(ImageDecodeError, match="too large"):
        decode_image(_png_header_only(side, side))


def test_truncated_jpeg_refused() -> None:
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 255, (200, 300, 3), dtype=np.uint8), "RGB")
    data = _encode(noisy, "JPEG", quality=90)
    with pytest.raises(ImageDecodeError):
        decode_image(data[: len(data) // 2])


def test_png_with_broken_pixel_stream_refused() -> None:
    data = _encode(_marked_rgb(), "PNG")
    at = data.index(b"IDAT") + 4
    smashed = data[:at] + b"\x00\x00" + data[at + 2 :]  # the zlib header of the pixel data destroyed
    with pytest.raises(ImageDecodeError):
        decode_image(smashed)


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4 nothing"])
def test_garbage_refused(data: bytes) -> None:
    with pytest.raises(ImageDecodeError):
        decode_image(data)


def test_large_jpeg_decoded_at_reduced_scale() -> None:
    big = Image.new("RGB", (4000, 3000), (30, 60, 90))
    decoded = decode_image(_encode(big, "JPEG", quality=80), keep_side=1500)
    assert decoded.scale == 2.0
    assert decoded.image.shape == (1500, 2000, 3)
    assert decoded.original_size == (4000, 3000)
    assert np.allclose(decoded.to_original(np.array([[100.0, 50.0]])), [[200.0, 100.0]])


def test_small_jpeg_decoded_in_full() -> None:
    decoded = decode_image(_encode(Image.new("RGB", (1600, 1200)), "JPEG"))
    assert decoded.scale == 1.0
    assert decoded.image.shape == (1200, 1600, 3)
    assert decoded.elapsed_ms > 0

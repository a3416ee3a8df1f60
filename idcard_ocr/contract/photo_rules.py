"""The contract's photo rules, checked before any decoding.

- JPEG or PNG, judged by content: the magic bytes, then Pillow's header parser must agree.
- Each side > 8 px and ≤ 4000 px, read from the header (a PNG declaring 30000 × 30000 is refused
  without decoding a pixel), after the EXIF orientation a phone stored.
- At most ``max_image_bytes`` of image bytes, however the photo arrived (base64 is judged on the
  decoded bytes; a ``data:image/...;base64,`` prefix and whitespace are accepted).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
from dataclasses import dataclass
from typing import Literal

from PIL import Image, UnidentifiedImageError

from idcard_ocr.contract.codes import (
    MSG_IMAGE_DIMENSIONS,
    MSG_IMAGE_FORMAT,
    MSG_IMAGE_SIZE,
    ApiError,
    malformed_field,
)

MIN_SIDE_EXCLUSIVE = 8
MAX_SIDE = 4000
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_EXIF_ORIENTATION = 0x0112
_ORIENTATIONS_THAT_SWAP_SIDES = frozenset({5, 6, 7, 8})
_DATA_URL_PREFIX = re.compile(r"^\s*data:[^,]{0,100},", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CheckedImage:
    """A photo that passed the gate, with its size as displayed (EXIF orientation applied)."""

    data: bytes
    format: Literal["JPEG", "PNG"]
    width: int
    height: int


def decode_base64_image(text: str, max_bytes: int, field_name: str = "base64") -> bytes:
    """The photo bytes of a base64 field; 400 when it is not base64 or decodes past ``max_bytes``."""
    payload = _WHITESPACE.sub("", _DATA_URL_PREFIX.sub("", text, count=1))
    # Refuse an oversized photo before allocating its decoded copy.
    if len(payload) * 3 // 4 - payload.count("=") > max_bytes:
        raise ApiError(400, MSG_IMAGE_SIZE)
    payload = payload.replace("-", "+").replace("_", "/")  # tolerate the URL-safe alphabet
    payload += "=" * (-len(payload) % 4)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, malformed_field(field_name)) from None
    if not data:
        raise ApiError(400, malformed_field(field_name))
    if len(data) > max_bytes:
        raise ApiError(400, MSG_IMAGE_SIZE)
    return data


def check_image(data: bytes, max_bytes: int) -> CheckedImage:
    """Apply the contract's format, size and dimension rules; raises 400 ApiError on any failure."""
    if len(data) > max_bytes:
        raise ApiError(400, MSG_IMAGE_SIZE)
    if data.startswith(_PNG_MAGIC):
        expected = "PNG"
        # Pillow would parse the header too, but reading IHDR ourselves keeps giant declarations
        # away from its decompression-bomb warnings.
        width, height = _png_header_size(data)
        _check_sides(width, height)
    elif data.startswith(_JPEG_MAGIC):
        expected = "JPEG"
    else:
        raise ApiError(400, MSG_IMAGE_FORMAT)
    try:
        with Image.open(io.BytesIO(data)) as image:  # parses the header only, decodes nothing
            pil_format = image.format
            width, height = image.size
            orientation = image.getexif().get(_EXIF_ORIENTATION) if expected == "JPEG" else None
    except Image.DecompressionBombError:
        raise ApiError(400, MSG_IMAGE_DIMENSIONS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error):
        raise ApiError(400, MSG_IMAGE_FORMAT) from None
    # Phones save JPEGs with several pictures inside as MPO; the first one is an ordinary JPEG.
    if pil_format not in (expected, "MPO" if expected == "JPEG" else expected):
        raise ApiError(400, MSG_IMAGE_FORMAT)
    if orientation in _ORIENTATIONS_THAT_SWAP_SIDES:
        width, height = height, width
    _check_sides(width, height)
    return CheckedImage(data=data, format=expected, width=width, height=height)  # type: ignore[arg-type]


def _png_header_size(data: bytes) -> tuple[int, int]:
    # Signature (8) + chunk length (4) + b"IHDR" (4) + width (4) + height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ApiError(400, MSG_IMAGE_FORMAT)
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _check_sides(width: int, height: int) -> None:
    for side in (width, height):
        if not MIN_SIDE_EXCLUSIVE < side <= MAX_SIDE:
            raise ApiError(400, MSG_IMAGE_DIMENSIONS)

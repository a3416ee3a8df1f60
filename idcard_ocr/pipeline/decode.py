"""Decode uploaded bytes into an upright BGR image, refusing anything unsafe or unreadable.

The first stage of the pipeline: bytes in, a ``DecodedImage`` out. EXIF orientation is applied,
so every later stage (and every coordinate the pipeline reports) refers to the photo as a person
sees it. Huge JPEGs are decoded at a reduced scale (libjpeg's DCT scaling, far faster than a full
decode and resize) as long as what is left is still large enough to read a card from.
"""

from __future__ import annotations

import io
import time
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from idcard_ocr.pipeline.types import ImageDecodeError

MAX_PIXELS = 40_000_000  # more than this in the header is refused before any pixel is decoded
# Formats whose Pillow decoders are mature; anything else (EPS, PDF, ...) is refused.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "MPO")
DEFAULT_KEEP_SIDE = 2000  # a reduced JPEG decode keeps at least this many pixels on its long side


@dataclass(frozen=True)
class DecodedImage:
    """A decoded photo: BGR ``uint8`` pixels, upright as EXIF says, plus how it was obtained."""

    image: np.ndarray  # H x W x 3, BGR, uint8, C-contiguous
    original_size: tuple[int, int]  # (width, height) of the full photo after EXIF orientation
    scale: float  # original pixels per decoded pixel (1.0, or 2/4/8 after a reduced JPEG decode)
    format: str  # Pillow's format name, e.g. "JPEG"
    exif_orientation: int  # the EXIF Orientation tag that was applied (1 = none)
    elapsed_ms: float

    @property
    def width(self) -> int:
        """Decoded width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Decoded height in pixels."""
        return int(self.image.shape[0])

    def to_original(self, points: np.ndarray) -> np.ndarray:
        """Map ``N x 2`` decoded-pixel coordinates to the full-resolution photo's coordinates."""
        return np.asarray(points, dtype=np.float64) * self.scale


def decode_image(data: bytes, *, keep_side: int = DEFAULT_KEEP_SIDE) -> DecodedImage:
    """Decode ``data`` (JPEG, PNG, WebP, BMP, TIFF, GIF) to an upright BGR uint8 image.

    Raises ``ImageDecodeError`` with a short reason for empty, unknown, oversized (more than
    40 megapixels declared in the header), truncated or otherwise broken data.
    A JPEG whose long side is at least twice ``keep_side`` is decoded at 1/2, 1/4 or 1/8 scale,
    never below ``keep_side``; ``DecodedImage.scale`` says by how much.
    """
    start = time.perf_counter()
    if not data:
        raise ImageDecodeError("empty image")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is replaced by the stricter check below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            pil: Image.Image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageDecodeError("image too large") from exc
    except Exception as exc:  # Pillow raises UnidentifiedImageError, OSError, SyntaxError, ...
        raise ImageDecodeError("not a supported image") from exc

    width, height = pil.size
    if width <= 0 or height <= 0:
        raise ImageDecodeError("image has no pixels")
    if width * height > MAX_PIXELS:
        raise ImageDecodeError(f"image too large ({width}x{height})")

    fmt = str(pil.format or "")
    scale = 1.0
    if fmt in ("JPEG", "MPO") and keep_side > 0 and max(width, height) >= 2 * keep_side:
        factor = max(width, height) / keep_side
        # draft() picks the largest DCT scale whose result is still >= the requested size.
        pil.draft("RGB", (int(width / factor), int(height / factor)))
        scale = width / pil.size[0]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            pil.load()
            # Only after load(): for a PNG, reading EXIF may itself decode the pixels, and an
            # error swallowed there would leave a blank image behind.
            orientation = _exif_orientation(pil)
            if orientation != 1:
                pil = ImageOps.exif_transpose(pil)
            bgr = _to_bgr(pil)
    except ImageDecodeError:
        raise
    except Exception as exc:  # truncated streams, corrupt chunks, decoder limits
        reason = "truncated image" if "truncated" in str(exc).lower() else "corrupt image"
        raise ImageDecodeError(reason) from exc

    # Dimensions as the user sees the photo: an EXIF rotation of 90/270 swaps them.
    original = (width, height) if orientation in (1, 2, 3, 4) else (height, width)
    return DecodedImage(
        image=bgr,
        original_size=original,
        scale=scale,
        format=fmt,
        exif_orientation=orientation,
        elapsed_ms=(time.perf_counter() - start) * 1000.0,
    )


def _exif_orientation(pil: Image.Image) -> int:
    """The EXIF Orientation tag (1..8), 1 when absent or unreadable."""
    try:
        value = pil.getexif().get(0x0112, 1)
        value = int(value)
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def _to_bgr(pil: Image.Image) -> np.ndarray:
    """Convert any Pillow mode to a contiguous BGR uint8 array."""
    mode = pil.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16/32-bit grey: scale by the data's own range, since Pillow's convert("L") clips.
        arr = np.asarray(pil, dtype=np.float64)
        top = float(arr.max()) if arr.size else 0.0
        if top > 255.0:
            arr = arr * (255.0 / (65535.0 if top <= 65535.0 else top))
        grey = np.clip(arr, 0, 255).astype(np.uint8)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if mode == "P":
        pil = pil.convert("RGBA") if "transparency" in pil.info else pil.convert("RGB")
        mode = pil.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        # Transparent pixels become white, like the paper a card is usually photographed on.
        rgba = pil.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        pil = Image.alpha_composite(background, rgba).convert("RGB")
        mode = "RGB"
    if mode in ("1", "L"):
        grey = np.asarray(pil.convert("L"), dtype=np.uint8)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if mode != "RGB":
        pil = pil.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...
    rgb = np.asarray(pil, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageDecodeError("unsupported pixel layout")
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)

"""Helpers for hostile-input tests: a ledger snapshot, a decoding recogniser, crafted images.

Every hostile case must leave the account exactly as it found it, so the snapshot compares the
balance, the billed count and the ledger's billed calls before and after.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from PIL import Image

from idcard_ocr.pipeline.decode import decode_image
from idcard_ocr.pipeline.types import Recognition
from tests.api.support import Caller, Service, StubRecognizer, front_recognition


@dataclass(frozen=True)
class LedgerState:
    """What an account holds: its balance and how many of its calls were billed."""

    balance: int
    billed: int


def ledger_state(service: Service, caller: Caller) -> LedgerState:
    """The account's balance and billed-call count as the store reports them now."""
    return LedgerState(balance=service.balance(caller), billed=service.billed(caller))


def assert_refused_unbilled(
    body: dict[str, Any], before: LedgerState, after: LedgerState, code: int, msg: str | None = None
) -> None:
    """The answer is ``code`` (and ``msg`` when given), uncharged, and the ledger did not move."""
    assert body["code"] == code, body
    if msg is not None:
        assert body["msg"] == msg, body
    assert body["charge"] is False and "data" not in body, body
    assert after == before, (before, after)


class DecodingRecognizer(StubRecognizer):
    """Runs the pipeline's real decode stage, then answers the front sample.

    The image gate only reads headers; this makes truncated or corrupt pixel data reach the
    decoder the way the real recogniser would, without loading the OCR models.
    """

    def __init__(self) -> None:
        super().__init__(answer=front_recognition())
        self.decoded: list[np.ndarray] = []

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        decoded = decode_image(image)  # raises ImageDecodeError like the real pipeline
        self.decoded.append(decoded.image)
        return super().recognize(image)


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    """``image`` saved as ``fmt`` in memory."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def card_like(mode: str = "RGB", size: tuple[int, int] = (160, 100)) -> Image.Image:
    """A small picture with some structure (a dark band on a light field) in ``mode``."""
    image = Image.new("RGB", size, (230, 225, 210))
    image.paste((30, 30, 30), (10, 40, size[0] - 10, 60))
    return image.convert(mode)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_declaring(width: int, height: int) -> bytes:
    """A tiny valid JPEG whose frame header is rewritten to declare ``width`` x ``height``."""
    data = bytearray(encode(card_like(size=(16, 16)), "JPEG"))
    for marker in (b"\xff\xc0", b"\xff\xc2"):  # baseline or progressive frame header
        at = data.find(marker)
        if at != -1:
            # marker(2) + length(2) + precision(1), then height(2) and width(2)
            data[at + 5 : at + 9] = struct.pack(">HH", height, width)
            return bytes(data)
    raise AssertionError("Pillow wrote a JPEG without a SOF0/SOF2 frame header")


def animated_png(frames: int = 3, size: tuple[int, int] = (120, 80)) -> bytes:
    """An APNG whose frames are different grey levels (the first is the darkest)."""
    images = [Image.new("L", size, 40 + 60 * i) for i in range(frames)]
    return encode(images[0], "PNG", save_all=True, append_images=images[1:], duration=100, loop=0)

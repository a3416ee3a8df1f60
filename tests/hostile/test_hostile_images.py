"""Hostile photos: bombs, broken files, odd pixel modes, animations and polyglots.

Each case asserts the exact answer and that the account's balance and billed calls did not move
(except where a photo is a valid card photo and is meant to be read and billed).
"""

from __future__ import annotations

import base64
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import numpy as np
import pytest

from idcard_ocr.api.envelope import MSG_IMAGE_DIMENSIONS, MSG_IMAGE_FORMAT, MSG_IMAGE_SIZE
from tests.api.support import Service, ServiceFactory
from tests.api.test_photo_input import giant_png_header
from tests.hostile.hostile_support import (
    DecodingRecognizer,
    animated_png,
    assert_refused_unbilled,
    card_like,
    encode,
    jpeg_declaring,
    ledger_state,
)

pytestmark = pytest.mark.anyio
MB2 = 2 * 1024 * 1024
JPEG = encode(card_like(size=(400, 300)), "JPEG")
PNG = encode(card_like(size=(400, 300)), "PNG")


@pytest.fixture
async def decoding(service_factory: ServiceFactory) -> Service:
    """The service with a recogniser that really decodes the photo (no OCR models)."""
    built = service_factory(recognizer=DecodingRecognizer())
    yield built
    await built.http.aclose()


def _zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("run.sh", "#!/bin/sh\necho owned\n")
    return out.getvalue()


def _smash(data: bytes, marker: bytes, offset: int, length: int, fill: bytes = b"\xff") -> bytes:
    at = data.index(marker)
    return data[: at + offset] + fill * length + data[at + offset + length :]


@pytest.mark.parametrize(
    "bomb",
    [giant_png_header(30000, 30000), jpeg_declaring(30000, 30000)],
    ids=["png-30000x30000", "jpeg-30000x30000"],
)
async def test_decompression_bombs_are_refused_from_the_header(decoding: Service, bomb: bytes) -> None:
    caller = decoding.account(balance=5)
    before = ledger_state(decoding, caller)
    assert len(bomb) < 1024  # a tiny file declaring 900 megapixels (2.7 GB decoded)
    tracemalloc.start()
    started = time.perf_counter()
    body = await decoding.post_photo(caller, bomb)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert_refused_unbilled(body, before, ledger_state(decoding, caller), 400, MSG_IMAGE_DIMENSIONS)
    assert elapsed < 2.0  # generous on a shared 2-core machine; a decode would take minutes
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while refusing a bomb"
    assert decoding.recognizer.calls == 0


@pytest.mark.parametrize(
    ("photo", "msg"),
    [
        (JPEG[:200], MSG_IMAGE_FORMAT),  # cut inside the header
        (PNG[:30], MSG_IMAGE_FORMAT),
        (JPEG[: len(JPEG) // 2], MSG_IMAGE_FORMAT),  # header whole, pixels cut: the decoder refuses
        (PNG[: len(PNG) // 2], MSG_IMAGE_FORMAT),
        (_smash(JPEG, b"\xff\xc4", 4, 36), MSG_IMAGE_FORMAT),  # Huffman table overwritten
        (_smash(PNG, b"IDAT", 4, 2, b"\x00"), MSG_IMAGE_FORMAT),  # zlib stream header destroyed
        (b"\xff\xd8\xff", MSG_IMAGE_FORMAT),
        (b"\x89PNG\r\n\x1a\n", MSG_IMAGE_FORMAT),
        (_zip_archive() + JPEG, MSG_IMAGE_FORMAT),  # judged by the first bytes, not by a scan
        (b"<html><body>" + PNG, MSG_IMAGE_FORMAT),
        (JPEG + b"\0" * (MB2 - len(JPEG) + 1), MSG_IMAGE_SIZE),
    ],
    ids=[
        "jpeg-cut-in-header",
        "png-cut-in-header",
        "jpeg-cut-in-pixels",
        "png-cut-in-pixels",
        "jpeg-bad-huffman",
        "png-bad-zlib",
        "jpeg-magic-only",
        "png-signature-only",
        "zip-then-jpeg",
        "html-then-png",
        "jpeg-padded-past-2mb",
    ],
)
async def test_broken_photos_get_400_and_cost_nothing(decoding: Service, photo: bytes, msg: str) -> None:
    caller = decoding.account(balance=5)
    before = ledger_state(decoding, caller)
    body = await decoding.post_photo(caller, photo)
    assert_refused_unbilled(body, before, ledger_state(decoding, caller), 400, msg)
    body = await decoding.post(caller.signed(base64=base64.b64encode(photo).decode()))
    assert_refused_unbilled(body, before, ledger_state(decoding, caller), 400, msg)


def _band_is_dark(pixels: np.ndarray) -> bool:
    """The dark band card_like draws is still darker than the field around it."""
    grey = pixels.mean(axis=2)
    return bool(grey[45:55, 20:140].mean() + 80 < grey[5:30, 20:140].mean())


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(card_like("L"), "JPEG"),
        lambda: encode(card_like("L"), "PNG"),
        lambda: encode(card_like("P"), "PNG"),
        lambda: encode(card_like("CMYK"), "JPEG"),
        lambda: encode(card_like("L").convert("I;16"), "PNG"),
        lambda: encode(card_like("LA"), "PNG"),
        lambda: encode(card_like("RGBA"), "PNG"),
        lambda: encode(card_like("1"), "PNG"),
    ],
    ids=[
        "grey-jpeg",
        "grey-png",
        "palette-png",
        "cmyk-jpeg",
        "16bit-png",
        "grey-alpha-png",
        "rgba-png",
        "1bit",
    ],
)
async def test_every_pixel_mode_of_a_valid_photo_is_read(
    decoding: Service, make: Callable[[], bytes]
) -> None:
    # A scanner or an old phone may save grey, palette, CMYK or 16-bit files: users expect a read.
    caller = decoding.account(balance=5)
    body = await decoding.post_photo(caller, make())
    assert (body["code"], body["charge"]) == (200, True), body
    assert _band_is_dark(decoding.recognizer.decoded[-1])
    assert ledger_state(decoding, caller).balance == 4


async def test_animated_png_is_read_from_its_first_frame(decoding: Service) -> None:
    caller = decoding.account(balance=5)
    body = await decoding.post_photo(caller, animated_png())
    assert (body["code"], body["charge"]) == (200, True), body
    assert abs(float(decoding.recognizer.decoded[-1].mean()) - 40.0) < 2.0  # frame 1 is grey 40


@pytest.mark.parametrize(
    "polyglot",
    [JPEG + _zip_archive(), PNG + b"<html><script>alert(document.cookie)</script></html>"],
    ids=["jpeg+zip", "png+html"],
)
async def test_polyglots_are_read_as_the_image_and_never_echoed(decoding: Service, polyglot: bytes) -> None:
    # The trailing archive or page is inert: only the image decoder ever sees the bytes, and no
    # byte of the upload appears in the answer.
    caller = decoding.account(balance=5)
    response = await decoding.http.post(
        "/ocr/idcard-v1", data=caller.signed(), files={"file": ("x.html", polyglot, "text/html")}
    )
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert b"<script" not in response.content and b"run.sh" not in response.content
    assert response.json()["code"] == 200
    assert decoding.recognizer.seen[-1] == polyglot


async def test_base64_at_the_limit_passes_the_gate_and_one_byte_more_does_not(service: Service) -> None:
    caller = service.account(balance=5)
    exact = JPEG + b"\0" * (MB2 - len(JPEG))
    before = ledger_state(service, caller)
    body = await service.post(caller.signed(base64=base64.b64encode(exact + b"\0").decode()))
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_IMAGE_SIZE)
    body = await service.post(caller.signed(image=base64.b64encode(exact).decode()))
    assert (body["code"], body["charge"]) == (200, True)
    assert service.recognizer.seen[-1] == exact and len(exact) == MB2

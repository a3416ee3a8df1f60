"""Helpers for the API tests: a stub recogniser, sample photos, a signing caller, the app handle.

The recogniser is a stub returning a fixed :class:`Recognition`, so these tests judge the
service (checks, billing, envelope) and not the OCR.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from PIL import Image

from idcard_ocr.contract import sample
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.pipeline.types import Recognition
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore

# The contract's front sample, as plain dicts for comparing with answers.
FRONT_INFO = dict(sample.FRONT_INFO)
FRONT_VALIDITY = dict(sample.FRONT_VALIDITY)


def front_recognition(rotate: int = 0) -> Recognition:
    """What the pipeline returns for the contract's front sample."""
    return Recognition(
        text_found=True, side="front", rotate=rotate, info=dict(FRONT_INFO), validity=dict(FRONT_VALIDITY)
    )


@dataclass
class StubRecognizer:
    """Returns ``answer`` (or raises it), optionally after ``delay_s``; counts calls."""

    answer: Recognition | BaseException = field(default_factory=front_recognition)
    delay_s: float = 0.0
    calls: int = 0
    seen: list[bytes] = field(default_factory=list)
    dates: list[date | None] = field(default_factory=list)  # the ``today`` each call was given
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        with self._lock:
            self.calls += 1
            self.seen.append(image)
            self.dates.append(today)
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def jpeg_bytes(width: int = 120, height: int = 80, exif_orientation: int | None = None) -> bytes:
    """A small real JPEG."""
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 180, 160))
    if exif_orientation is None:
        image.save(out, "JPEG")
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(width: int = 120, height: int = 80) -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Caller:
    """An account and its secret, able to sign requests."""

    app_id: str
    secret: str

    def signed(self, timestamp_ms: int | None = None, **fields: Any) -> dict[str, Any]:
        ts = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
        return {
            "appId": self.app_id,
            "timestamp": ts,
            "sign": sign_of(self.app_id, self.secret, ts),
            **fields,
        }


@dataclass
class Service:
    """The app under test with the pieces a test may poke at."""

    app: FastAPI
    store: SqlStore
    recognizer: StubRecognizer
    settings: Settings
    http: httpx.AsyncClient

    def account(self, **kwargs: Any) -> Caller:
        kwargs.setdefault("balance", 100)
        account, secret = self.store.create_account(**kwargs)
        return Caller(account.app_id, secret)

    async def post(self, data: dict[str, Any], files: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST multipart (always multipart, even without files) and return the JSON envelope."""
        if files is None:
            files = {"_": ("", b"")}  # httpx sends urlencoded unless a file part is present
        response = await self.http.post("/ocr/idcard-v1", data=data, files=files)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post_photo(self, caller: Caller, photo: bytes | None = None, **fields: Any) -> dict[str, Any]:
        return await self.post(caller.signed(**fields), files={"file": ("card.jpg", photo or jpeg_bytes())})

    def balance(self, caller: Caller) -> int:
        account = self.store.get_account(caller.app_id)
        assert account is not None
        return account.balance

    def billed(self, caller: Caller) -> int:
        rows = self.store.usage(caller.app_id)
        return rows[0].billed if rows else 0


ServiceFactory = Callable[..., Service]

"""The request signature: ``sha256(appId + appSecret + timestamp)``, hex, as the vendor defines it."""

from __future__ import annotations

import time

from idcard_ocr.contract.sign import sign_of


def compute_sign(app_id: str, app_secret: str, timestamp_ms: int | str) -> str:
    """The hex ``sign`` for one request. The secret itself never leaves the machine."""
    return sign_of(app_id, app_secret, timestamp_ms)


def current_timestamp_ms() -> int:
    """Milliseconds since the epoch, as the ``timestamp`` field wants them."""
    return time.time_ns() // 1_000_000


def signed_fields(app_id: str, app_secret: str, timestamp_ms: int | None = None) -> dict[str, str]:
    """``appId``, ``timestamp`` and ``sign`` for one attempt.

    Called afresh for every attempt: the server refuses a timestamp outside its window (610),
    so a retry after a back-off must not reuse the first attempt's timestamp.
    """
    ts = current_timestamp_ms() if timestamp_ms is None else timestamp_ms
    return {"appId": app_id, "timestamp": str(ts), "sign": compute_sign(app_id, app_secret, ts)}

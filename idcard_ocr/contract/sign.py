"""The request signature the vendor defines: ``sha256(appId + appSecret + timestamp)``, hex.

The service checks it (``idcard_ocr.api.access``), the SDK and the load test make it.
"""

from __future__ import annotations

import hashlib


def sign_of(app_id: str, app_secret: str, timestamp: int | str) -> str:
    """The lower-case hex ``sign`` for one request."""
    return hashlib.sha256(f"{app_id}{app_secret}{timestamp}".encode()).hexdigest()

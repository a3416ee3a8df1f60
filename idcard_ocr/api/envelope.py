"""The service's envelope: the JSON object every answer is, and how it is encoded.

Every answer of ``POST /ocr/idcard-v1`` is a JSON object ``{code, msg, taskNo, charge[, data]}``
sent with HTTP 200; only an unknown path gets HTTP 404 (and no ``taskNo``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from idcard_ocr.contract.codes import (
    CODES,
    MESSAGES,
    MSG_BAD_CREDENTIALS,
    MSG_BODY_TOO_LARGE,
    MSG_CONTENT_TYPE,
    MSG_IMAGE_DIMENSIONS,
    MSG_IMAGE_FORMAT,
    MSG_IMAGE_SIZE,
    MSG_MALFORMED_BODY,
    MSG_METHOD,
    MSG_NO_IMAGE,
    MSG_NOT_UTF8,
    MSG_TIMESTAMP_SECONDS,
    ApiError,
    malformed_field,
    missing_field,
)

# The codes and messages live in ``idcard_ocr.contract.codes``; the service's modules take them
# from here together with the envelope.
__all__ = [
    "CODES",
    "MESSAGES",
    "MSG_BAD_CREDENTIALS",
    "MSG_BODY_TOO_LARGE",
    "MSG_CONTENT_TYPE",
    "MSG_IMAGE_DIMENSIONS",
    "MSG_IMAGE_FORMAT",
    "MSG_IMAGE_SIZE",
    "MSG_MALFORMED_BODY",
    "MSG_METHOD",
    "MSG_NOT_UTF8",
    "MSG_NO_IMAGE",
    "MSG_TIMESTAMP_SECONDS",
    "ApiError",
    "ChineseJSONResponse",
    "envelope",
    "malformed_field",
    "missing_field",
    "not_found_response",
]

def envelope(
    code: int,
    task_no: str,
    *,
    msg: str | None = None,
    charge: bool = False,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The response object with keys in the contract's order."""
    body: dict[str, Any] = {
        "code": code,
        "msg": msg if msg is not None else MESSAGES[code],
        "taskNo": task_no,
        "charge": charge,
    }
    if data is not None:
        body["data"] = data
    return body


class ChineseJSONResponse(Response):
    """JSON written as UTF-8 characters, not ``\\u`` escapes, compact like the vendor's."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def not_found_response() -> ChineseJSONResponse:
    """HTTP 404 for an unknown path: the only answer without ``taskNo`` and ``charge``."""
    return ChineseJSONResponse({"code": 404, "msg": MESSAGES[404]}, status_code=404)

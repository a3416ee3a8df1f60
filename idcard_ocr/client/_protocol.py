"""What the sync and async clients share: building the form, reading the answer, when to retry."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from idcard_ocr.client._errors import ApiError, EndpointNotFound, InvalidResponse, error_for_code
from idcard_ocr.client._models import IdCardResult, parse_result

ENDPOINT_PATH = "/ocr/idcard-v1"

# Form fields the client fills itself; an option of the same name would corrupt the request.
RESERVED_FIELDS = frozenset({"appId", "timestamp", "sign", "file", "base64", "image", "url"})

# 609 (rate) and 500 (maintenance) are answered before anything is billed, so asking again is safe.
RETRYABLE_CODES = frozenset({500, 609})

# Failures where the server cannot have produced an answer: the connection was never made, or it
# was dropped before any response came back (typically a stale keep-alive connection). A read
# timeout is *not* retried: the server may still be working on, and billing, that request.
RETRYABLE_TRANSPORT_ERRORS: tuple[type[httpx.RequestError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
)

FileSource = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class PreparedPayload:
    """The photo and options, read once so that every attempt sends the very same bytes."""

    fields: dict[str, str]
    upload: tuple[str, bytes, str] | None = None  # (filename, content, content type) for multipart
    extra: dict[str, str] = field(default_factory=dict)


def endpoint_url(base_url: str) -> str:
    """The full address of the endpoint; a ``base_url`` that already names it is taken as is."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
    return base if base.endswith(ENDPOINT_PATH) else base + ENDPOINT_PATH


def _content_type(content: bytes) -> str:
    # The server judges the format by content; a matching declared type only helps proxies and logs.
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "application/octet-stream"


def _read_file(file: FileSource) -> tuple[str, bytes]:
    if isinstance(file, bytes | bytearray | memoryview):
        return "image", bytes(file)
    if isinstance(file, str) and file.startswith(("http://", "https://", "data:")):
        raise ValueError("file is read from disk; pass an address as url= and base64 text as base64=")
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        return path.name, path.read_bytes()
    if hasattr(file, "read"):
        content = file.read()
        if not isinstance(content, bytes | bytearray):
            raise TypeError("file must be opened in binary mode ('rb')")
        name = getattr(file, "name", None)
        return (Path(name).name if isinstance(name, str) else "image"), bytes(content)
    raise TypeError(f"file must be bytes, a path or a binary file object, not {type(file).__name__}")


def _option_value(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int, and "True" is no form value
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"option values must be str, int, float or bool, not {type(value).__name__}")


def prepare_payload(
    file: FileSource | None, base64: str | None, url: str | None, options: dict[str, Any]
) -> PreparedPayload:
    """Check the arguments and read the photo; raises ValueError/TypeError before any network."""
    given = [name for name, value in (("file", file), ("base64", base64), ("url", url)) if value is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of file, base64 or url (got {', '.join(given) or 'none'})")
    clashes = RESERVED_FIELDS.intersection(options)
    if clashes:
        raise ValueError(f"option names reserved by the protocol: {', '.join(sorted(clashes))}")
    extra = {name: _option_value(value) for name, value in options.items() if value is not None}
    if file is not None:
        filename, content = _read_file(file)
        if not content:
            raise ValueError("file is empty")
        if "." not in filename:
            filename += {"image/jpeg": ".jpg", "image/png": ".png"}.get(_content_type(content), "")
        return PreparedPayload(fields={}, upload=(filename, content, _content_type(content)), extra=extra)
    if base64 is not None:
        if not base64.strip():
            raise ValueError("base64 is empty")
        return PreparedPayload(fields={"base64": base64}, extra=extra)
    assert url is not None  # exactly one was given
    if not url.startswith(("http://", "https://")):
        raise ValueError("url must start with http:// or https://")
    return PreparedPayload(fields={"url": url}, extra=extra)


def request_arguments(payload: PreparedPayload, signed: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client.build_request``: multipart with a file, else urlencoded."""
    data = {**signed, **payload.fields, **payload.extra}
    if payload.upload is None:
        return {"data": data}
    return {"data": data, "files": {"file": payload.upload}}


def _body_of(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) and "code" in body else None


def interpret_response(response: httpx.Response) -> IdCardResult:
    """The result of a code-200 answer; raises the ApiError of any other code, or InvalidResponse."""
    body = _body_of(response)
    if body is None:
        if response.status_code == 404:
            # A wrong base_url often lands on some other server's plain 404 page.
            raise EndpointNotFound(404, f"HTTP 404 from {response.request.url}")
        message = f"HTTP {response.status_code}: the reply is not the API's JSON object"
        if response.is_redirect:
            # Redirects are not followed: a POST body would be lost or resent, and billed twice.
            message += f"; the server redirects to {response.headers.get('location')!r}, use that as base_url"
        raise InvalidResponse(message, status_code=response.status_code)
    try:
        code = int(body["code"])
    except (TypeError, ValueError):
        message = f"code is not a number: {body['code']!r}"
        raise InvalidResponse(message, status_code=response.status_code) from None
    if code != 200:
        raise error_for_code(code, str(body.get("msg", "")), str(body.get("taskNo", "")), raw=body)
    try:
        return parse_result(body)
    except (TypeError, ValueError) as exc:
        raise InvalidResponse(f"malformed code-200 answer: {exc}", status_code=response.status_code) from exc


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``retries`` extra attempts, sleeping ``backoff * 2**attempt`` (with jitter) between."""

    retries: int = 3
    backoff: float = 0.5

    def __post_init__(self) -> None:
        if self.retries < 0 or self.backoff < 0:
            raise ValueError("retries and backoff must not be negative")

    def retry_error(self, attempt: int, error: BaseException) -> bool:
        """Whether attempt number ``attempt`` (0-based), which failed with ``error``, is tried again."""
        if attempt >= self.retries:
            return False
        if isinstance(error, ApiError):
            return error.code in RETRYABLE_CODES
        return isinstance(error, RETRYABLE_TRANSPORT_ERRORS)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt``: between half and all of the nominal delay.

        The jitter keeps many clients refused together (609) from coming back in the same instant.
        """
        nominal = self.backoff * 2**attempt
        fraction = rng.random() if rng is not None else random.random()
        return nominal * (0.5 + 0.5 * fraction)

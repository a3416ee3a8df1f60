"""Reading the request body ourselves: a hard size cap while streaming, then form parsing.

Starlette's own form parser caps text parts at 1 MB (too small for a 2 MB photo in base64) and
keeps no total limit, so the body is read here, refused as soon as it passes
``max_body_bytes``, and parsed from memory.

Decisions:
- A repeated field: the first occurrence wins.
- Values are kept as bytes and decoded as strict UTF-8 only when read (non-UTF-8 → 400).
- In urlencoded bodies a ``+`` inside ``base64``/``image`` stays a ``+``: many clients put raw
  base64 into the body without percent-encoding it, and base64 never contains a meaningful space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from idcard_ocr.api.envelope import (
    MSG_BODY_TOO_LARGE,
    MSG_CONTENT_TYPE,
    MSG_MALFORMED_BODY,
    MSG_NOT_UTF8,
    ApiError,
)

# Fields whose '+' is literal in urlencoded bodies (see the module docstring).
_PLUS_IS_LITERAL = frozenset({b"base64", b"image"})
# The contract and its opt-in extras use a dozen fields. Without a cap, 4 MB of tiny parts (80 000
# of them) kept the event loop parsing for most of a second per request, before any sign check.
MAX_FORM_FIELDS = 100
_URLENCODED_PAIR = re.compile(rb"[^&]+")


@dataclass
class RequestForm:
    """The first value of every field, as raw bytes."""

    values: dict[str, bytes] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """True when the field is present with a non-empty value."""
        return bool(self.values.get(name))

    def raw(self, name: str) -> bytes | None:
        """The field's bytes (for uploaded files), or None when absent."""
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        """The field as text; None when absent. Raises 400 when it is not valid UTF-8."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, MSG_NOT_UTF8) from None

    def add(self, name: str, value: bytes) -> None:
        """Keep ``value`` unless the field was already given (the first occurrence wins)."""
        self.values.setdefault(name, value)


async def read_capped_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (400) as soon as more than ``limit`` bytes are declared or sent."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(400, MSG_BODY_TOO_LARGE)
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise ApiError(400, MSG_BODY_TOO_LARGE)
            chunks.append(chunk)
    except ClientDisconnect:  # the caller hung up mid-body; nobody will read the answer
        raise ApiError(400, MSG_MALFORMED_BODY) from None
    return b"".join(chunks)


def parse_form(content_type: str, body: bytes) -> RequestForm:
    """Parse a multipart or urlencoded body; anything else or anything malformed is a 400."""
    kind, options = parse_options_header(content_type)
    if kind == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise ApiError(400, MSG_MALFORMED_BODY)
        return _parse_multipart(boundary, body)
    if kind == b"application/x-www-form-urlencoded":
        return _parse_urlencoded(body)
    raise ApiError(400, MSG_CONTENT_TYPE)


def _parse_urlencoded(body: bytes) -> RequestForm:
    form = RequestForm()
    # Pairs found lazily, empty ones skipped in C: a body of a million '&' costs no Python loop.
    for fields, match in enumerate(_URLENCODED_PAIR.finditer(body), start=1):
        if fields > MAX_FORM_FIELDS:
            raise ApiError(400, MSG_MALFORMED_BODY)
        pair = match.group()
        raw_name, _, raw_value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        if name_bytes not in _PLUS_IS_LITERAL:
            raw_value = raw_value.replace(b"+", b" ")
        try:
            name = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, MSG_NOT_UTF8) from None
        form.add(name, unquote_to_bytes(raw_value))
    return form


class _MultipartCollector:
    """Callbacks for python-multipart that gather each part's name, file flag and bytes."""

    def __init__(self) -> None:
        self.form = RequestForm()
        self.finished = False
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""
        self._chunks: list[bytes] = []
        self._parts = 0

    def on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_FORM_FIELDS:
            raise ApiError(400, MSG_MALFORMED_BODY)
        self._disposition, self._chunks = b"", []

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            if self._disposition:
                # Two dispositions make the part's name ambiguous: a proxy in front may have
                # judged the first while we would use the last.
                raise ApiError(400, MSG_MALFORMED_BODY)
            self._disposition = self._header_value
        self._header_field, self._header_value = b"", b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._chunks.append(data[start:end])

    def on_part_end(self) -> None:
        kind, options = parse_options_header(self._disposition)
        raw_name = options.get(b"name")
        if kind != b"form-data" or raw_name is None:
            raise ApiError(400, MSG_MALFORMED_BODY)
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, MSG_NOT_UTF8) from None
        # A part with or without a filename is used alike: some clients send the photo bare.
        self.form.add(name, b"".join(self._chunks))

    def on_end(self) -> None:
        self.finished = True


def _parse_multipart(boundary: bytes, body: bytes) -> RequestForm:
    collector = _MultipartCollector()
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_part_data",
            "on_part_end",
            "on_end",
        )
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except ApiError:
        raise
    except Exception:  # python-multipart raises several error types for broken bodies
        raise ApiError(400, MSG_MALFORMED_BODY) from None
    if not collector.finished:  # body cut off before the closing boundary
        raise ApiError(400, MSG_MALFORMED_BODY)
    return collector.form

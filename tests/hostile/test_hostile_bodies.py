"""Hostile request bodies: oversized streams, broken or ambiguous multipart, duplicated fields.

Each case asserts the exact answer and that the caller's balance and ledger did not move.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from idcard_ocr.api.envelope import (
    MSG_BAD_CREDENTIALS,
    MSG_BODY_TOO_LARGE,
    MSG_MALFORMED_BODY,
    MSG_NOT_UTF8,
    missing_field,
)
from tests.api.support import Caller, Service, jpeg_bytes
from tests.hostile.hostile_support import assert_refused_unbilled, ledger_state

pytestmark = pytest.mark.anyio
MB = 1024 * 1024
PHOTO = jpeg_bytes(120, 80)


def part(name: bytes, value: bytes, boundary: bytes = b"B", extra: bytes = b"") -> bytes:
    """One multipart part, raw, so that tests can break it on purpose."""
    return (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n'
        + extra + b"\r\n" + value + b"\r\n"
    )  # fmt: skip


def signed_parts(caller: Caller, boundary: bytes = b"B") -> bytes:
    return b"".join(part(k.encode(), str(v).encode(), boundary) for k, v in caller.signed().items())


async def post_raw(service: Service, body: bytes, content_type: str) -> dict[str, object]:
    response = await service.http.post("/ocr/idcard-v1", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


async def test_fifty_megabyte_stream_is_cut_off_in_flat_memory(service: Service) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    sent = 0

    async def fifty_mb() -> AsyncIterator[bytes]:
        nonlocal sent
        yield signed_parts(caller) + b'--B\r\nContent-Disposition: form-data; name="file"\r\n\r\n'
        chunk = b"\xff" * (256 * 1024)
        for _ in range(200):  # 50 MB if read to the end
            sent += len(chunk)
            yield chunk

    tracemalloc.start()
    response = await service.http.post(
        "/ocr/idcard-v1", content=fifty_mb(), headers={"Content-Type": "multipart/form-data; boundary=B"}
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert_refused_unbilled(response.json(), before, ledger_state(service, caller), 400, MSG_BODY_TOO_LARGE)
    assert sent <= 4 * MB + 256 * 1024  # reading stopped at the 4 MB body cap
    # The cap's worth of chunks is held once, plus the join; 50 MB would show as 50 MB here.
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"


async def test_declared_fifty_megabytes_is_refused_before_reading(service: Service) -> None:
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        read += 1
        yield b"x" * 1024

    response = await service.http.post(
        "/ocr/idcard-v1",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=B", "Content-Length": str(50 * MB)},
    )
    assert (response.json()["code"], response.json()["msg"]) == (400, MSG_BODY_TOO_LARGE)
    assert read == 0


@pytest.mark.parametrize(
    ("content_type", "tail", "msg"),
    [
        ("multipart/form-data; boundary=Z", b"--B--\r\n", MSG_MALFORMED_BODY),  # body uses another
        ("multipart/form-data; boundary=B", b"", MSG_MALFORMED_BODY),  # no closing boundary
        ("multipart/form-data; boundary=B; boundary=C", b"--B--\r\n", MSG_MALFORMED_BODY),
        ("multipart/form-data", b"--B--\r\n", MSG_MALFORMED_BODY),  # no boundary at all
        (  # a second disposition would rename the part behind a proxy's back
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="x"\r\nContent-Disposition: form-data; '
            b'name="file"\r\n\r\n' + PHOTO + b"\r\n--B--\r\n",
            MSG_MALFORMED_BODY,
        ),
        (  # a header line without a colon
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition form-data; name="base64"\r\n\r\nv\r\n--B--\r\n',
            MSG_MALFORMED_BODY,
        ),
        (  # bare LF line endings inside the part headers
            "multipart/form-data; boundary=B",
            b'--B\nContent-Disposition: form-data; name="base64"\n\nv\n--B--\n',
            MSG_MALFORMED_BODY,
        ),
        (  # a part that is not form-data
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: attachment; name="file"\r\n\r\nv\r\n--B--\r\n',
            MSG_MALFORMED_BODY,
        ),
        (  # 100 kB of header
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="file"\r\nX: '
            + b"a" * 100_000
            + b"\r\n\r\n--B--\r\n",
            MSG_MALFORMED_BODY,
        ),
        (  # a non-UTF-8 field name
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\nv\r\n--B--\r\n',
            MSG_NOT_UTF8,
        ),
    ],
    ids=[
        "wrong-boundary",
        "no-final-boundary",
        "two-boundaries",
        "boundary-missing",
        "two-dispositions",
        "header-without-colon",
        "bare-lf",
        "attachment-part",
        "huge-header",
        "non-utf8-name",
    ],
)
async def test_malformed_multipart_is_400_and_unbilled(
    service: Service, content_type: str, tail: bytes, msg: str
) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    # The signing fields come first and are valid: the refusal is for the body's shape alone.
    body = await post_raw(service, signed_parts(caller) + tail, content_type)
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, msg)
    assert service.recognizer.calls == 0


async def test_header_injection_in_a_part_name_cannot_forge_a_field(service: Service) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    fields = caller.signed()
    forged = (
        part(b"appId", fields["appId"].encode())
        + part(b"timestamp", fields["timestamp"].encode())
        + b'--B\r\nContent-Disposition: form-data; name="x\r\nContent-Disposition: form-data; name=sign"'
        + b"\r\n\r\n"
        + fields["sign"].encode()
        + b"\r\n--B--\r\n"
    )
    body = await post_raw(service, forged, "multipart/form-data; boundary=B")
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400)
    assert body["msg"] in (missing_field("sign"), MSG_MALFORMED_BODY)


async def test_duplicated_fields_take_the_first_and_bill_once(service: Service) -> None:
    caller = service.account(balance=5)
    good = signed_parts(caller)
    other = jpeg_bytes(64, 48)
    twice = good + good + part(b"file", PHOTO) + part(b"file", other) + b"--B--\r\n"
    body = await post_raw(service, twice, "multipart/form-data; boundary=B")
    assert (body["code"], body["charge"]) == (200, True)
    assert service.recognizer.seen == [PHOTO]
    assert ledger_state(service, caller).balance == 4 and service.billed(caller) == 1
    # A forged first appId wins over the genuine second one: the request is refused, unbilled.
    before = ledger_state(service, caller)
    forged = part(b"appId", b"someone-else") + good + part(b"file", PHOTO) + b"--B--\r\n"
    body = await post_raw(service, forged, "multipart/form-data; boundary=B")
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_BAD_CREDENTIALS)


@pytest.mark.parametrize("field", ["appId", "timestamp", "sign", "base64", "url"])
async def test_non_utf8_values_are_400_unbilled(service: Service, field: str) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    fields = {k: str(v).encode() for k, v in caller.signed().items()}
    fields[field] = b"\xc3\x28\xff\xfe"  # invalid UTF-8 sequences
    raw = b"".join(part(k.encode(), v) for k, v in fields.items()) + b"--B--\r\n"
    body = await post_raw(service, raw, "multipart/form-data; boundary=B")
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_NOT_UTF8)


@pytest.mark.parametrize("kind", ["multipart", "urlencoded"])
async def test_a_flood_of_tiny_fields_is_refused_without_stalling_the_server(
    service: Service, kind: str
) -> None:
    # 4 MB of tiny fields used to keep the event loop parsing for most of a second per request.
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    if kind == "multipart":
        junk = part(b"x", b"1")
        body = signed_parts(caller) + junk * (4 * MB // len(junk) - 100) + b"--B--\r\n"
        content_type = "multipart/form-data; boundary=B"
    else:
        body = "&".join(f"{k}={v}" for k, v in caller.signed().items()).encode() + b"&x=1" * (MB - 100)
        content_type = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    answer = await post_raw(service, body, content_type)
    assert time.perf_counter() - started < 0.5
    assert_refused_unbilled(answer, before, ledger_state(service, caller), 400, MSG_MALFORMED_BODY)
    # Ninety extra fields beside the real ones are still a normal request.
    extra = b"".join(part(f"x{i}".encode(), b"1") for i in range(90))
    answer = await post_raw(
        service,
        signed_parts(caller) + extra + part(b"file", PHOTO) + b"--B--\r\n",
        "multipart/form-data; boundary=B",
    )
    assert (answer["code"], answer["charge"]) == (200, True)

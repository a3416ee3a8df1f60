"""Properties under random input: the form reader, the image gate and the whole endpoint.

Whatever arrives, nothing escapes as an exception and every answer is an envelope with a code
from the contract's table; the gate never passes a photo whose sides break the rules.
"""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from idcard_ocr.api.envelope import (
    CODES,
    MSG_CONTENT_TYPE,
    MSG_IMAGE_DIMENSIONS,
    MSG_IMAGE_FORMAT,
    MSG_IMAGE_SIZE,
    MSG_MALFORMED_BODY,
    MSG_NO_IMAGE,
    MSG_NOT_UTF8,
    ApiError,
)
from idcard_ocr.api.request_form import RequestForm, parse_form
from idcard_ocr.contract.photo_rules import MAX_SIDE, MIN_SIDE_EXCLUSIVE, check_image, decode_base64_image
from tests.api.support import Service, ServiceFactory
from tests.fuzz.fuzz_strategies import FUZZ_SETTINGS, image_bytes, request_bodies

MB2 = 2 * 1024 * 1024
FORM_REFUSALS = {MSG_MALFORMED_BODY, MSG_NOT_UTF8, MSG_CONTENT_TYPE}


@pytest.fixture
def fuzz_service(service_factory: ServiceFactory) -> Service:
    """One app for all of a property's examples (each app leases one of 1000 node ids)."""
    return service_factory()


@FUZZ_SETTINGS
@given(request_bodies)
def test_form_reader_returns_a_form_or_a_400(drawn: tuple[str, bytes]) -> None:
    content_type, body = drawn
    try:
        form = parse_form(content_type, body)
    except ApiError as refusal:
        assert (refusal.code, refusal.msg in FORM_REFUSALS) == (400, True), refusal.msg
        return
    assert isinstance(form, RequestForm)
    assert all(isinstance(v, bytes) for v in form.values.values())


@FUZZ_SETTINGS
@given(image_bytes)
def test_image_gate_passes_only_rule_abiding_photos(data: bytes) -> None:
    try:
        checked = check_image(data, MB2)
    except ApiError as refusal:
        assert refusal.code == 400
        assert refusal.msg in (MSG_IMAGE_FORMAT, MSG_IMAGE_SIZE, MSG_IMAGE_DIMENSIONS)
        return
    assert checked.format in ("JPEG", "PNG")
    assert MIN_SIDE_EXCLUSIVE < checked.width <= MAX_SIDE
    assert MIN_SIDE_EXCLUSIVE < checked.height <= MAX_SIDE


@FUZZ_SETTINGS
@given(st.text(max_size=400), st.integers(1, 300))
def test_base64_reader_never_returns_more_than_the_limit(text: str, limit: int) -> None:
    try:
        data = decode_base64_image(text, limit)
    except ApiError as refusal:
        assert refusal.code == 400
        return
    assert 0 < len(data) <= limit


def _post(service: Service, content_type: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.post(
                "/ocr/idcard-v1", content=body, headers={"Content-Type": content_type, **headers}
            )

    return asyncio.run(send())


@FUZZ_SETTINGS
@given(
    request_bodies,
    st.dictionaries(
        st.sampled_from(["Content-Length", "Transfer-Encoding", "X-Forwarded-For", "Host", "Expect"]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
        max_size=2,
    ),
)
def test_endpoint_always_answers_an_envelope(
    fuzz_service: Service, drawn: tuple[str, bytes], headers: dict[str, str]
) -> None:
    service = fuzz_service
    content_type = drawn[0].encode("ascii", "replace").decode()  # header values must be ASCII
    try:
        response = _post(service, content_type, drawn[1], headers)
    except (httpx.LocalProtocolError, ValueError):
        return  # the client refused to send it (e.g. a negative Content-Length): not our answer
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "application/json; charset=utf-8",
    )
    body = response.json()
    assert body["code"] in CODES and body["code"] != 999, body
    assert body["charge"] is False  # no fuzzed body carries a valid sign


@FUZZ_SETTINGS
@given(image_bytes, st.sampled_from(["file", "base64", "image"]))
def test_signed_requests_with_fuzzed_photos_bill_exactly_the_successes(
    fuzz_service: Service, photo: bytes, field: str
) -> None:
    service = fuzz_service
    caller = service.account(balance=3)

    async def send() -> dict[str, object]:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            if field == "file":
                response = await http.post(
                    "/ocr/idcard-v1", data=caller.signed(), files={"file": ("p.jpg", photo)}
                )
            else:
                encoded = base64.b64encode(photo).decode()
                response = await http.post("/ocr/idcard-v1", data=caller.signed(**{field: encoded}))
        answer: dict[str, object] = response.json()
        return answer

    body = asyncio.run(send())
    assert body["code"] in (200, 400), body
    billed = 1 if body["code"] == 200 else 0
    assert body["charge"] is bool(billed)
    assert (service.balance(caller), service.billed(caller)) == (3 - billed, billed)
    if body["code"] == 400:
        assert body["msg"] in (MSG_IMAGE_FORMAT, MSG_IMAGE_SIZE, MSG_IMAGE_DIMENSIONS, MSG_NO_IMAGE)

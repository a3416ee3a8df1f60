"""AsyncClient behaves as Client does: same wire format, results, errors and retries."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from client_fakes import APP_ID, APP_SECRET, BACK_BODY, BASE_URL, FRONT_BODY, error_body

from idcard_ocr.client import (
    AsyncClient,
    InsufficientBalance,
    RateLimited,
    TransportError,
    compute_sign,
)


def run_recognize(api, retries: int = 3, **kwargs):
    async def go():
        transport = api.transport()
        async with AsyncClient(APP_ID, APP_SECRET, BASE_URL, transport=transport, retries=retries) as client:
            return await client.recognize(**kwargs)

    return asyncio.run(go())


def test_file_upload_returns_the_typed_front(scripted) -> None:
    api = scripted(FRONT_BODY)
    card = run_recognize(api, file=b"\x89PNG\r\n\x1a\n....", detail=1)
    assert card.front is not None and card.front.birth_date == dt.date(1989, 12, 1)
    assert card.charged and card.task_no == FRONT_BODY["taskNo"]
    sent = api.requests[0]
    assert sent.content_type.startswith("multipart/form-data")
    assert sent.files["file"][2] == "image/png" and sent.fields["detail"] == "1"
    assert sent.fields["sign"] == compute_sign(APP_ID, APP_SECRET, sent.fields["timestamp"])


def test_url_goes_urlencoded_and_back_side_parses(scripted) -> None:
    api = scripted(BACK_BODY)
    card = run_recognize(api, url="https://x.test/back.jpg")
    assert api.requests[0].content_type.startswith("application/x-www-form-urlencoded")
    assert card.rotate == 90 and card.back is not None and card.back.valid_until == dt.date(2039, 8, 6)


def test_two_sources_are_refused_before_any_request(scripted) -> None:
    api = scripted(FRONT_BODY)
    with pytest.raises(ValueError):
        run_recognize(api, base64="aGk=", url="https://x.test/a.jpg")
    assert api.requests == []


def test_error_codes_raise_their_errors(scripted) -> None:
    with pytest.raises(InsufficientBalance) as caught:
        run_recognize(scripted(error_body(603, "余额不足请充值", "99999999999999999999")), base64="aGk=")
    assert caught.value.task_no == "99999999999999999999"


def test_retries_re_sign_then_stop(scripted, ticking_clock, no_sleep) -> None:
    api = scripted(error_body(609, "请求过于频繁,请稍候再试"))
    with pytest.raises(RateLimited):
        run_recognize(api, retries=2, base64="aGk=")
    assert len(api.requests) == 3 and len(no_sleep) == 2
    assert [int(r.fields["timestamp"]) for r in api.requests] == ticking_clock
    assert len({r.fields["sign"] for r in api.requests}) == 3


def test_dropped_connection_is_retried_and_timeout_is_not(scripted, no_sleep) -> None:
    api = scripted(httpx.ConnectError("refused"), FRONT_BODY)
    assert run_recognize(api, base64="aGk=").recognized and len(api.requests) == 2
    api = scripted(httpx.ReadTimeout("slow"), FRONT_BODY)
    with pytest.raises(TransportError):
        run_recognize(api, base64="aGk=")
    assert len(api.requests) == 1

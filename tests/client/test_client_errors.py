"""Each code of the contract raises its own exception; transport trouble raises TransportError."""

from __future__ import annotations

import re

import httpx
import pytest
from client_fakes import APP_ID, APP_SECRET, BASE_URL, error_body

from idcard_ocr.client import (
    AccountDisabled,
    ApiError,
    BadRequest,
    Client,
    EndpointNotFound,
    IdCardOcrError,
    InsufficientBalance,
    InvalidResponse,
    IpNotAllowed,
    NotSubscribed,
    QuotaExceeded,
    RateLimited,
    RecognitionFailed,
    RequestTimeout,
    ServiceUnavailable,
    TransportError,
    UnknownApiError,
)

CONTRACT_CODES = [
    (301, "识别失败", RecognitionFailed),
    (400, "照片格式不正确", BadRequest),
    (500, "系统维护,请稍候再试", ServiceUnavailable),
    (601, "接口未开通", NotSubscribed),
    (602, "账号停用", AccountDisabled),
    (603, "余额不足请充值", InsufficientBalance),
    (604, "接口停用", ServiceUnavailable),
    (606, "调用超限,请稍候再试", QuotaExceeded),
    (607, "ip不在白名单", IpNotAllowed),
    (609, "请求过于频繁,请稍候再试", RateLimited),
    (610, "请求超时", RequestTimeout),
    (999, "其他", UnknownApiError),
    (777, "未知", UnknownApiError),
]


def call(api, **kwargs) -> None:
    with Client(APP_ID, APP_SECRET, BASE_URL, transport=api.transport(), retries=0, **kwargs) as client:
        client.recognize(url="https://example.com/card.jpg")


@pytest.mark.parametrize(("code", "msg", "error_type"), CONTRACT_CODES)
def test_each_code_raises_its_error(scripted, code: int, msg: str, error_type: type[ApiError]) -> None:
    api = scripted(error_body(code, msg, "20240101000000000042"))
    with pytest.raises(error_type) as caught:
        call(api)
    error = caught.value
    assert (error.code, error.msg, error.task_no) == (code, msg, "20240101000000000042")
    assert isinstance(error, ApiError) and isinstance(error, IdCardOcrError)
    assert str(error) == f"{code} {msg} (taskNo 20240101000000000042)"


def test_unknown_path_json_answer_is_endpoint_not_found(scripted) -> None:
    api = scripted(httpx.Response(404, json={"code": 404, "msg": "接口地址不正确"}))
    with pytest.raises(EndpointNotFound) as caught:
        call(api)
    assert caught.value.code == 404 and caught.value.msg == "接口地址不正确" and caught.value.task_no == ""


def test_foreign_404_page_is_endpoint_not_found(scripted) -> None:
    api = scripted(httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(EndpointNotFound, match="HTTP 404"):
        call(api)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(200, text="{truncated"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"code": "abc", "msg": "?"}),
    ],
)
def test_a_reply_that_is_not_the_api_json_is_invalid_response(scripted, answer: httpx.Response) -> None:
    api = scripted(answer)
    with pytest.raises(InvalidResponse) as caught:
        call(api)
    assert isinstance(caught.value, TransportError)
    assert caught.value.status_code == answer.status_code


def test_a_redirect_is_not_followed_and_names_the_new_address(scripted) -> None:
    api = scripted(httpx.Response(301, headers={"Location": "https://ocr.test/ocr/idcard-v1"}))
    with pytest.raises(InvalidResponse, match=re.escape("https://ocr.test/ocr/idcard-v1")):
        call(api)
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")],
)
def test_network_failures_are_transport_errors(scripted, failure: Exception) -> None:
    with pytest.raises(TransportError) as caught:
        call(scripted(failure))
    assert caught.value.__cause__ is failure

"""Retries: only 609, 500 and dropped connections; each attempt freshly signed; bounded; backed off."""

from __future__ import annotations

import logging
import random

import httpx
import pytest
from client_fakes import APP_ID, APP_SECRET, BASE_URL, FRONT_BODY, error_body

from idcard_ocr.client import (
    BadRequest,
    Client,
    InsufficientBalance,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    compute_sign,
)
from idcard_ocr.client._protocol import RetryPolicy

RATE_LIMITED = error_body(609, "请求过于频繁,请稍候再试")
MAINTENANCE = error_body(500, "系统维护,请稍候再试")


def recognize(api, retries: int = 3, backoff: float = 0.5):
    transport = api.transport()
    with Client(
        APP_ID, APP_SECRET, BASE_URL, transport=transport, retries=retries, backoff=backoff
    ) as client:
        return client.recognize(file=b"\xff\xd8\xff\xe0 jpeg")


def test_rate_limited_twice_then_success_re_signs_each_attempt(scripted, ticking_clock, no_sleep) -> None:
    api = scripted(RATE_LIMITED, RATE_LIMITED, FRONT_BODY)
    card = recognize(api)
    assert card.task_no == FRONT_BODY["taskNo"]
    assert len(api.requests) == 3 and len(no_sleep) == 2
    sent = [(int(r.fields["timestamp"]), r.fields["sign"]) for r in api.requests]
    assert [timestamp for timestamp, _ in sent] == ticking_clock
    assert len(set(sent)) == 3
    for timestamp, sign in sent:
        assert sign == compute_sign(APP_ID, APP_SECRET, timestamp)
    assert all(r.files["file"] == api.requests[0].files["file"] for r in api.requests)


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_gives_up_after_retries_extra_attempts(scripted, no_sleep, retries: int) -> None:
    api = scripted(MAINTENANCE)
    with pytest.raises(ServiceUnavailable):
        recognize(api, retries=retries)
    assert len(api.requests) == retries + 1 and len(no_sleep) == retries


def test_still_rate_limited_after_all_retries_raises_rate_limited(scripted, no_sleep) -> None:
    with pytest.raises(RateLimited):
        recognize(scripted(RATE_LIMITED), retries=2)


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (error_body(400, "参数错误"), BadRequest),
        (error_body(603, "余额不足请充值"), InsufficientBalance),
        (error_body(604, "接口停用"), ServiceUnavailable),
        (httpx.Response(502, text="bad gateway"), TransportError),
        (httpx.ReadTimeout("server still working"), TransportError),
    ],
)
def test_answers_that_may_not_be_retried_are_sent_once(scripted, no_sleep, answer, outcome) -> None:
    api = scripted(answer, FRONT_BODY)
    with pytest.raises(outcome):
        recognize(api)
    assert len(api.requests) == 1 and no_sleep == []


def test_success_and_not_a_card_are_never_retried(scripted, no_sleep) -> None:
    not_a_card = {**FRONT_BODY, "charge": False, "data": {**FRONT_BODY["data"], "result": 1}}
    api = scripted(not_a_card, FRONT_BODY)
    assert recognize(api).result == 1
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.RemoteProtocolError("server disconnected")]
)
def test_connection_failures_before_an_answer_are_retried(scripted, no_sleep, failure) -> None:
    api = scripted(failure, FRONT_BODY)
    assert recognize(api).recognized
    assert len(api.requests) == 2


def test_back_off_doubles_with_jitter(scripted, no_sleep) -> None:
    with pytest.raises(RateLimited):
        recognize(scripted(RATE_LIMITED), retries=3, backoff=0.5)
    for attempt, delay in enumerate(no_sleep):
        nominal = 0.5 * 2**attempt
        assert nominal / 2 <= delay <= nominal
    assert len(no_sleep) == 3


def test_retry_policy_delay_spread_and_limits() -> None:
    policy = RetryPolicy(retries=3, backoff=1.0)
    delays = [policy.delay(2, random.Random(seed)) for seed in range(50)]
    assert min(delays) >= 2.0 and max(delays) <= 4.0 and len(set(delays)) > 40
    assert RetryPolicy(backoff=0).delay(3) == 0
    assert not policy.retry_error(3, httpx.ConnectError("refused"))
    assert policy.retry_error(2, httpx.ConnectError("refused"))


def test_retry_log_lines_carry_no_secret_or_card_data(scripted, no_sleep, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="idcard_ocr.client")
    recognize(scripted(RATE_LIMITED, httpx.ConnectError("refused"), FRONT_BODY))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "code 609" in logged and "ConnectError" in logged
    for private in (APP_SECRET, "赵宁宁", "330106198912014010"):
        assert private not in logged

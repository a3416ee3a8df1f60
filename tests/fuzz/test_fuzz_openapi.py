"""Schemathesis drives the in-process app from its own OpenAPI description.

Cases are drawn from the published request schema (both media types); about half are re-signed
for a real account, so the photo paths behind the sign check are reached too. Every answer must
be HTTP 200, JSON, match the published response schema, carry a code from the table and never
999; a charge appears only with a 200, and the ledger agrees with the answers.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idcard_ocr.api.envelope import CODES
from idcard_ocr.api.url_fetch import UrlFetcher
from idcard_ocr.contract.sign import sign_of
from tests.api.support import Caller, Service, ServiceFactory
from tests.fuzz.fuzz_strategies import FUZZ_SETTINGS

# A dev dependency (schemathesis==4.32.5); without it this file is skipped with the reason.
schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed (pip install schemathesis)"
)
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


async def _no_dns(host: str, port: int) -> list[Any]:
    raise OSError("no lookups in tests")  # literals never reach a resolver; names fail offline


@pytest.fixture
def fuzzed_service(service_factory: ServiceFactory) -> Service:
    """The app with a url fetcher that never leaves the machine (names fail, addresses are checked)."""
    fetcher = UrlFetcher(
        allow_hosts=frozenset(), timeout_s=1.0, max_redirects=3, max_bytes=2 * 1024 * 1024, resolver=_no_dns
    )
    return service_factory(adjust_parts=lambda parts: dataclasses.replace(parts, url_fetcher=fetcher))


def _resign(body: Any, caller: Caller) -> Any:
    """The drawn body with valid signing fields (only when it is a form dict)."""
    if not isinstance(body, dict):
        return body
    timestamp = str(int(time.time() * 1000))
    return {
        **body,
        "appId": caller.app_id,
        "timestamp": timestamp,
        "sign": sign_of(caller.app_id, caller.secret, timestamp),
    }


@pytest.fixture
def operation(fuzzed_service: Service) -> Any:
    """The endpoint as described by the app's own ``/openapi.json``."""
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_service.app)["/ocr/idcard-v1"]["POST"]


@FUZZ_SETTINGS
@given(data=st.data())
def test_schema_driven_requests_always_get_a_valid_envelope(
    fuzzed_service: Service, operation: Any, data: st.DataObject
) -> None:
    service = fuzzed_service
    case = data.draw(operation.as_strategy())
    caller = service.account(balance=10)
    if data.draw(st.booleans(), label="re-signed"):
        case.body = _resign(case.body, caller)
    response = case.call()
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["code"] in CODES and body["code"] != 999, body
    assert body["charge"] is (body["code"] == 200 and body.get("data", {}).get("result") == 0)
    billed = 1 if body["charge"] else 0
    assert (service.balance(caller), service.billed(caller)) == (10 - billed, billed)

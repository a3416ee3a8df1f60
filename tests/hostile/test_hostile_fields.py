"""Hostile field values: SQL and path injection everywhere, absurd timestamps, a 1 MB sign."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from idcard_ocr.api.envelope import MSG_BAD_CREDENTIALS, MSG_NO_IMAGE, malformed_field
from idcard_ocr.api.url_fetch import MSG_URL_INVALID, MSG_URL_SCHEME
from idcard_ocr.contract.sign import sign_of
from tests.api.support import Caller, Service, jpeg_bytes
from tests.hostile.hostile_support import assert_refused_unbilled, ledger_state

pytestmark = pytest.mark.anyio
INJECTIONS = [
    "' OR 1=1 --",
    "'; DROP TABLE accounts; --",
    '" OR ""="',
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%00",
    "\x00",
    "${jndi:ldap://x/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "\r\nSet-Cookie: a=b",
]
INJECTION_IDS = [
    "or-1-1",
    "drop",
    "dquote",
    "dotdot",
    "backslash",
    "pct00",
    "nul",
    "jndi",
    "tmpl",
    "xss",
    "crlf",
]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def urlencoded(fields: dict[str, str]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields.items())


async def post_form(service: Service, fields: dict[str, str]) -> dict[str, object]:
    response = await service.http.post("/ocr/idcard-v1", content=urlencoded(fields), headers=FORM)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "set-cookie" not in response.headers
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize("value", INJECTIONS, ids=INJECTION_IDS)
async def test_injection_in_signing_fields_is_a_plain_400(service: Service, value: str) -> None:
    caller = service.account(balance=5)
    accounts_before = len(service.store.list_accounts())
    before = ledger_state(service, caller)
    for name in ("appId", "timestamp", "sign"):
        fields = caller.signed()
        fields[name] = value
        if name == "appId":  # signed correctly for the hostile appId: it still is no account
            fields["sign"] = sign_of(value, caller.secret, fields["timestamp"])
        body = await post_form(service, {**fields, "base64": "x"})
        expected = malformed_field("timestamp") if name == "timestamp" else MSG_BAD_CREDENTIALS
        assert_refused_unbilled(body, before, ledger_state(service, caller), 400, expected)
    # Nothing was dropped or altered: every account is still there and still answers.
    assert len(service.store.list_accounts()) == accounts_before
    assert (await service.post_photo(caller))["code"] == 200


@pytest.mark.parametrize("value", INJECTIONS, ids=INJECTION_IDS)
async def test_injection_in_photo_fields_is_refused_after_the_sign(service: Service, value: str) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    for name, msg in (
        ("base64", malformed_field("base64")),
        ("image", malformed_field("image")),
        ("url", None),
    ):
        body = await post_form(service, {**caller.signed(), name: value})
        if name == "url":
            # No scheme: refused as a url before any lookup; never read as a local path.
            assert body["msg"] in (MSG_URL_SCHEME, MSG_URL_INVALID), body
            msg = str(body["msg"])
        assert_refused_unbilled(body, before, ledger_state(service, caller), 400, msg)
    # As a field name the value is simply an unknown field.
    body = await post_form(service, {**caller.signed(), value: "x"})
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_NO_IMAGE)


@pytest.mark.parametrize("filename", ["../../etc/passwd", "%00.jpg", "a\x00b.jpg", "' OR 1=1 --.jpg"])
async def test_upload_filename_is_never_used(service: Service, filename: str) -> None:
    caller = service.account(balance=5)
    photo = jpeg_bytes(90, 60)
    response = await service.http.post(
        "/ocr/idcard-v1", data=caller.signed(), files={"file": (filename, photo, "../../x")}
    )
    assert (response.json()["code"], response.json()["charge"]) == (200, True)
    assert service.recognizer.seen[-1] == photo
    assert ledger_state(service, caller).balance == 4


@pytest.mark.parametrize(
    ("timestamp", "code", "msg"),
    [
        ("0", 610, "请求超时"),
        ("1", 610, "请求超时"),
        ("9223372036854775807", 610, "请求超时"),  # 19 digits: the largest accepted spelling
        ("-1", 400, malformed_field("timestamp")),
        (str(-int(time.time() * 1000)), 400, malformed_field("timestamp")),
        ("1" + "0" * 20, 400, malformed_field("timestamp")),  # 10^20
        ("9" * 1000, 400, malformed_field("timestamp")),
        ("abc", 400, malformed_field("timestamp")),
        ("1e12", 400, malformed_field("timestamp")),
        ("0x1F", 400, malformed_field("timestamp")),
        ("１２３４５", 400, malformed_field("timestamp")),  # full-width digits
        ("١٢٣", 400, malformed_field("timestamp")),  # Arabic-Indic digits
        ("12.5", 400, malformed_field("timestamp")),
    ],
)
async def test_hostile_timestamps(service: Service, timestamp: str, code: int, msg: str) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    fields = {
        "appId": caller.app_id,
        "timestamp": timestamp,
        "sign": sign_of(caller.app_id, caller.secret, timestamp),  # correctly signed, still refused
    }
    body = await post_form(service, fields)
    assert_refused_unbilled(body, before, ledger_state(service, caller), code, msg)
    assert service.recognizer.calls == 0


async def test_one_megabyte_sign_is_refused_quickly(service: Service) -> None:
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    started = time.perf_counter()
    for sign in ("a" * 1024 * 1024, caller.signed()["sign"] * (1024 * 1024 // 64)):
        body = await post_form(service, {**caller.signed(), "sign": sign})
        assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_BAD_CREDENTIALS)
    assert time.perf_counter() - started < 2.0


async def test_sign_of_another_account_does_not_open_this_one(service: Service) -> None:
    victim, attacker = service.account(balance=5), service.account(balance=5)
    before = ledger_state(service, victim)
    forged = attacker.signed()
    forged["appId"] = victim.app_id  # the attacker's own valid sign, offered for the victim
    body = await post_form(service, forged)
    assert_refused_unbilled(body, before, ledger_state(service, victim), 400, MSG_BAD_CREDENTIALS)
    unused = Caller(victim.app_id, attacker.secret)
    body = await post_form(service, unused.signed())
    assert_refused_unbilled(body, before, ledger_state(service, victim), 400, MSG_BAD_CREDENTIALS)

"""The request signature, checked against the vendor's own example."""

from __future__ import annotations

import hashlib
import time

from client_fakes import APP_ID, APP_SECRET, BASE_URL, FRONT_BODY

from idcard_ocr.client import Client, compute_sign
from idcard_ocr.client._sign import signed_fields

# sha256("xyzxy2121zxyz" + "efcefcef1121cefcefc1212121" + "1555378976238"), computed with sha256sum.
VENDOR_SIGN = "6ddcdc405743c576cb6d34b17b47ed56e2b9b6670fae1fe85ed01244fd31558b"


def test_sign_matches_the_vendor_example() -> None:
    assert compute_sign(APP_ID, APP_SECRET, 1555378976238) == VENDOR_SIGN
    assert compute_sign(APP_ID, APP_SECRET, "1555378976238") == VENDOR_SIGN


def test_signed_fields_carry_id_timestamp_and_sign_but_never_the_secret() -> None:
    fields = signed_fields(APP_ID, APP_SECRET, 1555378976238)
    assert fields == {"appId": APP_ID, "timestamp": "1555378976238", "sign": VENDOR_SIGN}
    assert APP_SECRET not in "".join(fields.values())


def test_a_request_is_signed_with_the_current_time_in_milliseconds(scripted) -> None:
    api = scripted(FRONT_BODY)
    before = int(time.time() * 1000)
    with Client(APP_ID, APP_SECRET, BASE_URL, transport=api.transport()) as client:
        client.recognize(base64="aGVsbG8=")
    after = int(time.time() * 1000)
    sent = api.requests[0].fields
    assert before <= int(sent["timestamp"]) <= after
    expected = hashlib.sha256(f"{APP_ID}{APP_SECRET}{sent['timestamp']}".encode()).hexdigest()
    assert sent["sign"] == expected
    assert APP_SECRET not in api.requests[0].url and "appSecret" not in sent

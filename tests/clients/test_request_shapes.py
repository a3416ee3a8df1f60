"""The request shapes that clients written for the vendor send reach ``idcard-ocr serve`` intact.

Java's HttpClient offers an upgrade to HTTP/2 over plain http (`Upgrade: h2c`), Spring's
RestClient does so with a chunked body, curl asks `Expect: 100-continue` for large bodies, and
clients of the vendor's other products send `charset=UTF-8` and a `productCode` field. Each is
sent here on a raw HTTP/1.1 connection and must be read and billed like a plain request.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.parse

import pytest

from idcard_ocr.api.access import sign_of
from tests.clients.conftest import CARDS, LiveOcr, truth

pytestmark = [pytest.mark.models, pytest.mark.slow]

PHOTO = "front_0009.jpg"
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}
H2C_OFFER = {
    "Connection": "Upgrade, HTTP2-Settings",
    "Upgrade": "h2c",
    "HTTP2-Settings": "AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA",
}
SHAPES = {
    "h2c-offer": (H2C_OFFER | URLENCODED, False, {}),
    "h2c-offer-chunked": (H2C_OFFER | URLENCODED, True, {}),
    "expect-100-continue": (URLENCODED | {"Expect": "100-continue"}, False, {}),
    "chunked": (URLENCODED, True, {}),
    "charset-and-productCode": (
        {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        False,
        {"productCode": "idcard-ocr-standard"},
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_shape_is_read_and_billed_like_a_plain_request(live_ocr: LiveOcr, shape: str) -> None:
    headers, chunked, extra_fields = SHAPES[shape]
    timestamp = str(int(time.time() * 1000))
    fields = {"appId": live_ocr.app_id, "timestamp": timestamp, **extra_fields}
    fields["sign"] = sign_of(live_ocr.app_id, live_ocr.app_secret, timestamp)
    fields["base64"] = base64.b64encode((CARDS / PHOTO).read_bytes()).decode()
    body = urllib.parse.urlencode(fields).encode()
    before = live_ocr.balance()
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(live_ocr.url).netloc, timeout=60)
    try:
        if chunked:
            pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
            connection.request("POST", "/ocr/idcard-v1", iter(pieces), headers, encode_chunked=True)
        else:
            connection.request("POST", "/ocr/idcard-v1", body, headers)
        response = connection.getresponse()
        assert response.status == 200
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert (answer["code"], answer["charge"]) == (200, True), answer
    assert answer["data"]["info"] == truth(PHOTO)["info"]
    assert live_ocr.balance() == before - 1

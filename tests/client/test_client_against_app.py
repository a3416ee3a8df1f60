"""The SDK against the real service, in-process: the real app, a real store, a stub recogniser.

The sync client reaches the ASGI app through :class:`BlockingASGITransport` (one event loop in
a helper thread); the async client through ``httpx.ASGITransport``. Runs on SQLite and, where it
answers, PostgreSQL (the shared ``store`` fixture).
"""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio.from_thread
import httpx
import pytest
from PIL import Image

from idcard_ocr.api import create_app
from idcard_ocr.client import (
    AccountDisabled,
    AsyncClient,
    BadRequest,
    Client,
    EndpointNotFound,
    InsufficientBalance,
    IpNotAllowed,
    NotSubscribed,
    RateLimited,
    RecognitionFailed,
    ServiceUnavailable,
)
from idcard_ocr.contract.card import FRONT_VALIDITY_KEYS
from idcard_ocr.pipeline.types import Recognition
from tests.api.support import FRONT_INFO as CARD

BASE_URL = "http://testserver"


def png_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 76), (200, 200, 190)).save(buffer, format="PNG")
    return buffer.getvalue()


class StubRecognizer:
    """Answers every photo with ``outcome``, so the test knows what the service must return."""

    def __init__(self, outcome: Recognition) -> None:
        self.outcome = outcome
        self.calls = 0

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        self.calls += 1
        return self.outcome


class BlockingASGITransport(httpx.BaseTransport):
    """A sync transport onto an ASGI app: each request runs on one event loop in a helper thread."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._portal_context = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_context.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def forward() -> httpx.Response:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(inner)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._portal.call(forward)

    def close(self) -> None:
        self._portal_context.__exit__(None, None, None)


@dataclass
class Service:
    """One running app: the store behind it, an account on it and its secret, the stub recogniser."""

    store: Any
    app: Any
    app_id: str
    secret: str
    recognizer: StubRecognizer

    def client(self, base_url: str = BASE_URL, **kwargs: Any) -> Client:
        return Client(self.app_id, self.secret, base_url, transport=BlockingASGITransport(self.app), **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return AsyncClient(self.app_id, self.secret, BASE_URL, transport=transport, **kwargs)

    def balance(self) -> int:
        return self.store.get_account(self.app_id).balance


@pytest.fixture
def service(store, database_url: str, settings_for) -> Iterator[Callable[..., Service]]:
    """``service(recognition=..., **account)`` -> a Service whose account has balance 10 by default."""

    def start(recognition: Recognition | None = None, **account: Any) -> Service:
        recognition = recognition or Recognition(
            text_found=True,
            side="front",
            rotate=90,
            info=dict(CARD),
            validity=dict.fromkeys(FRONT_VALIDITY_KEYS, True),
        )
        account.setdefault("balance", 10)
        created, secret = store.create_account(name="sdk-test", **account)
        recognizer = StubRecognizer(recognition)
        app = create_app(settings_for(database_url), store, recognizer)
        return Service(store, app, created.app_id, secret, recognizer)

    yield start


def test_sync_client_reads_and_is_billed(service) -> None:
    running = service()
    with running.client() as client:
        card = client.recognize(file=png_photo())
    assert card.recognized and card.charged
    assert (
        card.front is not None and card.front.number == CARD["number"] and card.front.birth_date is not None
    )
    assert card.rotate == 90 and card.side == "front"
    assert len(card.task_no) == 20 and card.task_no.isdigit()
    assert running.balance() == 9


def test_async_client_sends_base64_with_a_data_prefix(service) -> None:
    running = service()
    encoded = "data:image/png;base64," + base64.b64encode(png_photo()).decode()

    async def go():
        async with running.async_client() as client:
            return await client.recognize(base64=encoded)

    card = asyncio.run(go())
    assert card.front is not None and card.front.name == "赵宁宁"
    assert running.balance() == 9 and running.recognizer.calls == 1


def test_not_a_card_comes_back_unbilled(service) -> None:
    running = service(Recognition(text_found=True, side="back", info={"authority": "x"}, validity={}))
    with running.client() as client:
        card = client.recognize(file=png_photo())
    assert not card.recognized and not card.charged
    assert (
        card.back is not None
        and card.back.authority == ""
        and card.validity
        == {
            "authority": False,
            "timelimit": False,
        }
    )
    assert running.balance() == 10


def test_no_text_is_recognition_failed(service) -> None:
    running = service(Recognition(text_found=False))
    with running.client() as client, pytest.raises(RecognitionFailed) as caught:
        client.recognize(file=png_photo())
    assert caught.value.code == 301 and len(caught.value.task_no) == 20
    assert running.balance() == 10


def test_wrong_secret_is_bad_request(service) -> None:
    running = service()
    running.secret = "not-the-secret"
    with running.client() as client, pytest.raises(BadRequest):
        client.recognize(file=png_photo())
    assert running.recognizer.calls == 0


def test_a_file_that_is_no_image_is_bad_request(service) -> None:
    with service().client() as client, pytest.raises(BadRequest) as caught:
        client.recognize(file=b"%PDF-1.7 not a photo")
    assert caught.value.code == 400


@pytest.mark.parametrize(
    ("account", "error_type", "code"),
    [
        ({"balance": 0}, InsufficientBalance, 603),
        ({"subscribed": False}, NotSubscribed, 601),
        ({"ip_allow": ["10.0.0.0/8"]}, IpNotAllowed, 607),
    ],
)
def test_account_refusals_raise_their_errors(service, account, error_type, code: int) -> None:
    running = service(**account)
    with running.client() as client, pytest.raises(error_type) as caught:
        client.recognize(file=png_photo())
    assert caught.value.code == code and running.recognizer.calls == 0


def test_disabled_account(service) -> None:
    running = service()
    running.store.update_account(running.app_id, enabled=False)
    with running.client() as client, pytest.raises(AccountDisabled):
        client.recognize(file=png_photo())


@pytest.mark.parametrize(("switch", "on", "code"), [("maintenance", True, 500), ("product", False, 604)])
def test_switches_are_service_unavailable(service, switch, on: bool, code: int) -> None:
    running = service()
    running.store.set_switch(switch, on)
    with running.client(retries=1, backoff=0) as client, pytest.raises(ServiceUnavailable) as caught:
        client.recognize(file=png_photo())
    assert caught.value.code == code


def test_wrong_base_url_is_endpoint_not_found(service) -> None:
    with service().client(base_url=BASE_URL + "/v2") as client, pytest.raises(EndpointNotFound):
        client.recognize(file=png_photo())


def test_rate_limited_caller_without_retries_gets_609_and_with_back_off_gets_through(service) -> None:
    running = service(qps=1)
    with running.client(retries=0) as client:
        client.recognize(file=png_photo())
        with pytest.raises(RateLimited):
            client.recognize(file=png_photo())
    with running.client(retries=3, backoff=0.5) as client:
        assert client.recognize(file=png_photo()).charged
    assert running.balance() == 8

"""docs/clients/browser.html in headless Chromium, served from another origin than the service.

With ``IDCARD_CORS_ORIGINS`` naming the page's origin, the page signs a photo, posts it with
``fetch`` and shows the same fields and validity as the API's own answer; a call that needs a
preflight (a custom header, as some front-end setups add) gets through too. With it unset the
browser refuses the page the answer, as before: a plain form post is still sent and billed
(CORS does not stop a request, the sign does), a preflighted one is never sent.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

from idcard_ocr.api import create_app
from idcard_ocr.api.access import sign_of
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore, open_store
from tests.web.chromium import Browser
from tests.web.conftest import CARDS
from tests.web.live_server import serve_in_thread

pytestmark = [pytest.mark.slow, pytest.mark.models]

CLIENTS = Path(__file__).resolve().parents[2] / "docs" / "clients"
PHOTO = CARDS / "front_0009.jpg"
SETTLED = (
    "return ['done', 'refused', 'unreachable'].includes(document.getElementById('status').dataset.state)"
)
READ_PAGE = """
const rows = [...document.querySelectorAll('#fields tbody tr')];
return {
  state: document.getElementById('status').dataset.state,
  status: document.getElementById('status').innerText,
  rows: Object.fromEntries(rows.map((r) => [r.dataset.field, [...r.cells].slice(1).map((c) => c.innerText)])),
};
"""
# A fetch that a browser must preflight: a urlencoded body plus a header no simple request has.
PREFLIGHTED_FETCH = """
const [url, fields] = arguments;
window.preflighted = null;
const headers = {'X-Requested-With': 'XMLHttpRequest'};
fetch(url, {method: 'POST', body: new URLSearchParams(fields), headers})
  .then((r) => r.json()).then((answer) => { window.preflighted = {answer}; })
  .catch((error) => { window.preflighted = {error: String(error)}; });
"""


@dataclass
class CrossOrigin:
    """The service on one loopback port, browser.html on another, and the account behind it."""

    api_url: str
    page_url: str
    app_id: str
    secret: str
    store: SqlStore

    def balance(self) -> int:
        account = self.store.get_account(self.app_id)
        assert account is not None
        return account.balance

    def signed(self) -> dict[str, str]:
        timestamp = str(int(time.time() * 1000))
        return {
            "appId": self.app_id,
            "timestamp": timestamp,
            "sign": sign_of(self.app_id, self.secret, timestamp),
        }

    def api_answer(self) -> dict[str, Any]:
        """What the API itself answers for the photo (asked without an Origin)."""
        files = {"file": (PHOTO.name, PHOTO.read_bytes())}
        body: dict[str, Any] = httpx.post(
            f"{self.api_url}/ocr/idcard-v1", data=self.signed(), files=files
        ).json()
        return body


@pytest.fixture
def cross_origin(tmp_path: Path) -> Iterator[Callable[[bool], CrossOrigin]]:
    """Start the page server, then the service with CORS for the page's origin (or without)."""
    from idcard_ocr.pipeline import load_recognizer  # loaded once per process

    stack = ExitStack()
    stores: list[SqlStore] = []

    def start(cors: bool) -> CrossOrigin:
        page_server = Starlette()
        page_server.mount("/", StaticFiles(directory=CLIENTS))
        page_origin = stack.enter_context(serve_in_thread(page_server))
        settings = Settings(data_dir=tmp_path / "data", cors_origins=page_origin if cors else "")
        store = open_store(settings)
        stores.append(store)
        account, secret = store.create_account(balance=10)
        api_url = stack.enter_context(
            serve_in_thread(create_app(settings, store, load_recognizer(threads=1)))
        )
        assert api_url != page_origin
        return CrossOrigin(api_url, f"{page_origin}/browser.html", account.app_id, secret, store)

    with stack:
        yield start
    for store in stores:
        store.close()


def send_from_page(browser: Browser, site: CrossOrigin) -> dict[str, Any]:
    """Fill in the page as a user would, press the button and read what the page shows."""
    browser.open(site.page_url)
    browser.run(
        """const [service, appId, secret] = arguments;
        document.getElementById('service').value = service;
        document.getElementById('app-id').value = appId;
        document.getElementById('app-secret').value = secret;""",
        site.api_url,
        site.app_id,
        site.secret,
    )
    browser.choose_file("#photo", PHOTO)
    browser.run("document.getElementById('send').click();")
    browser.wait_for(SETTLED, timeout_s=60)
    shown: dict[str, Any] = browser.run(READ_PAGE)
    return shown


def preflighted_fetch(browser: Browser, site: CrossOrigin) -> dict[str, Any]:
    fields = {**site.signed(), "base64": base64.b64encode(PHOTO.read_bytes()).decode()}
    browser.run(PREFLIGHTED_FETCH, f"{site.api_url}/ocr/idcard-v1", fields)
    outcome: dict[str, Any] = browser.wait_for("return window.preflighted", timeout_s=60)
    return outcome


def test_a_listed_origin_shows_the_apis_answer(
    browser: Browser, cross_origin: Callable[[bool], CrossOrigin]
) -> None:
    site = cross_origin(True)
    shown = send_from_page(browser, site)
    assert shown["state"] == "done", shown["status"]
    expected = site.api_answer()
    assert (expected["code"], expected["data"]["result"]) == (200, 0)
    info, validity = expected["data"]["info"], expected["data"]["validity"]
    truth = json.loads((CARDS / "truth.json").read_text(encoding="utf-8"))
    assert info == next(row["info"] for row in truth if row["file"] == PHOTO.name)
    want = {
        key: [value, "valid" if validity[key] else "not valid"] if key in validity else [value, ""]
        for key, value in info.items()
    }
    want["birthday"] = ["", "valid" if validity["birthday"] else "not valid"]
    assert shown["rows"] == want
    assert shown["status"] == f"200 成功 ({expected['data']['side']})"
    assert site.balance() == 10 - 2  # the page's call and the reference call, each billed once

    outcome = preflighted_fetch(browser, site)
    assert "answer" in outcome, outcome
    assert outcome["answer"]["data"]["info"] == info
    assert site.balance() == 10 - 3


def test_without_cors_the_browser_refuses_the_page(
    browser: Browser, cross_origin: Callable[[bool], CrossOrigin]
) -> None:
    site = cross_origin(False)
    shown = send_from_page(browser, site)
    assert shown["state"] == "unreachable" and shown["rows"] == {}
    assert "Failed to fetch" in shown["status"]
    # A form post needs no preflight: the browser sent it, the service billed it, the page
    # just may not read the answer. Only the sign keeps strangers from spending the balance.
    assert site.balance() == 10 - 1

    outcome = preflighted_fetch(browser, site)
    assert "Failed to fetch" in outcome.get("error", ""), outcome
    assert site.balance() == 10 - 1  # the preflight was refused, so the post was never sent

"""Fixtures for the demo page: headless Chromium and the real app served on a loopback port.

Browser tests skip with the reason when Chromium or chromedriver is missing, unless
``IDCARD_TEST_REQUIRE_SERVICES=1`` (or ``CI=true``), when they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from idcard_ocr.api import create_app
from idcard_ocr.pipeline.types import Recognizer
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore
from idcard_ocr.web import DemoAccount, mount_demo, write_demo_account
from tests.web.chromium import Browser, Chromedriver, find_chromium
from tests.web.live_server import StubRecognizer, serve_in_thread

CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


def _services_required() -> bool:
    return os.environ.get("IDCARD_TEST_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def chromedriver() -> Iterator[Chromedriver]:
    """A running chromedriver; skips (or fails when services are required) without Chromium."""
    found = find_chromium()
    if isinstance(found, str):
        if _services_required():
            pytest.fail(found + " (IDCARD_TEST_REQUIRE_SERVICES=1)")
        pytest.skip(found)
    driver = Chromedriver(*found)
    yield driver
    driver.stop()


@pytest.fixture
def browser(chromedriver: Chromedriver) -> Iterator[Browser]:
    """A fresh headless Chromium (new profile) for one test."""
    opened = chromedriver.browser()
    yield opened
    opened.quit()


@dataclass
class DemoService:
    """The app serving the demo page, and what a test checks behind it."""

    url: str
    store: SqlStore
    account: DemoAccount
    settings: Settings

    def balance(self) -> int:
        account = self.store.get_account(self.account.app_id)
        assert account is not None
        return account.balance


@pytest.fixture
def demo_service(
    store: SqlStore, database_url: str, settings_for: Callable[..., Settings], tmp_path: Path
) -> Iterator[Callable[..., DemoService]]:
    """Start the real app (``create_app`` + the demo page) with a recogniser; stopped after the test."""
    stack = ExitStack()

    def start(recognizer: Recognizer | None = None, balance: int = 10) -> DemoService:
        settings = settings_for(database_url, data_dir=tmp_path / "data")
        created, secret = store.create_account(name="demo", balance=balance)
        account = DemoAccount(created.app_id, secret)
        write_demo_account(settings.data_dir, account)
        app = create_app(settings, store, recognizer or StubRecognizer())
        mount_demo(app, settings, enabled=True)
        url = stack.enter_context(serve_in_thread(app))
        return DemoService(url=url, store=store, account=account, settings=settings)

    with stack:
        yield start

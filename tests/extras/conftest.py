"""Fixtures for the extras tests: the real recogniser (once per session) and the service on it,
plus the committed photo set's truth records."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from idcard_ocr.api import create_app
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore, open_store
from tests.api.support import Caller, StubRecognizer, jpeg_bytes

CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


def truth(file: str) -> dict[str, Any]:
    """The committed set's truth record for ``file`` (quad and field boxes in displayed pixels)."""
    rows: list[dict[str, Any]] = json.loads((CARDS / "truth.json").read_text(encoding="utf-8"))
    return next(row for row in rows if row["file"] == file)


@pytest.fixture(scope="session")
def recognizer() -> Any:
    """The real recogniser, models loaded once for the whole session."""
    from idcard_ocr.pipeline import load_recognizer

    return load_recognizer(threads=1)


@dataclass
class OptionsService:
    """The app on a recogniser and a fresh SQLite store, with a funded account."""

    http: httpx.AsyncClient
    caller: Caller
    store: SqlStore
    recognizer: Any

    async def ask(self, photo: bytes | None = None, /, **options: str) -> dict[str, Any]:
        """POST ``photo`` (a small plain JPEG by default) with ``options``; the envelope."""
        response = await self.http.post(
            "/ocr/idcard-v1",
            data=self.caller.signed(None, **options),
            files={"file": ("card.jpg", photo or jpeg_bytes(320, 200))},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def balance(self) -> int:
        account = self.store.get_account(self.caller.app_id)
        assert account is not None
        return account.balance


# The two fixtures differ only in the recogniser behind the app.
RealService = StubService = OptionsService


async def _service_on(tmp_path: Path, recognizer: Any) -> AsyncIterator[OptionsService]:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    account, secret = store.create_account(balance=100)
    app = create_app(settings, store, recognizer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield OptionsService(http, Caller(account.app_id, secret), store, recognizer)
    app.state.endpoint.close()
    store.close()


@pytest.fixture
async def real_service(tmp_path: Path, recognizer: Any) -> AsyncIterator[OptionsService]:
    """The service with the real recogniser (tests using it are marked ``models``)."""
    async for service in _service_on(tmp_path, recognizer):
        yield service


@pytest.fixture
async def stub_service(tmp_path: Path) -> AsyncIterator[OptionsService]:
    """The service answering the contract's front sample for any photo."""
    async for service in _service_on(tmp_path, StubRecognizer()):
        yield service


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

"""The whole service with the real recogniser on committed synthetic cards (marked ``models``)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from idcard_ocr.api import create_app
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import open_store
from tests.api.support import Caller

pytestmark = [pytest.mark.anyio, pytest.mark.models, pytest.mark.slow]
CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


def truth(file: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = json.loads((CARDS / "truth.json").read_text(encoding="utf-8"))
    return next(row for row in rows if row["file"] == file)


@pytest.fixture(scope="module")
def recognizer() -> Any:
    from idcard_ocr.pipeline import load_recognizer

    return load_recognizer(threads=1)


@pytest.fixture
async def real_service(
    tmp_path: Path, recognizer: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Caller, Any]]:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    account, secret = store.create_account(balance=10)
    app = create_app(settings, store, recognizer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield http, Caller(account.app_id, secret), store
    app.state.endpoint.close()
    store.close()


async def test_clean_front_card_read_and_billed(real_service: tuple[httpx.AsyncClient, Caller, Any]) -> None:
    http, caller, store = real_service
    expected = truth("front_0001.jpg")
    photo = (CARDS / "front_0001.jpg").read_bytes()
    response = await http.post("/ocr/idcard-v1", data=caller.signed(), files={"file": ("f.jpg", photo)})
    body = response.json()
    assert body["code"] == 200 and body["charge"] is True
    assert body["data"]["side"] == "front" and "rotate" not in body["data"]
    assert body["data"]["info"]["number"] == expected["info"]["number"]
    assert body["data"]["info"]["name"] == expected["info"]["name"]
    assert store.get_account(caller.app_id).balance == 9


async def test_rotated_card_sent_as_base64(real_service: tuple[httpx.AsyncClient, Caller, Any]) -> None:
    http, caller, _store = real_service
    expected = truth("front_0002.jpg")
    encoded = "data:image/jpeg;base64," + base64.b64encode((CARDS / "front_0002.jpg").read_bytes()).decode()
    body = (await http.post("/ocr/idcard-v1", data=caller.signed(base64=encoded))).json()
    assert body["code"] == 200
    assert body["data"].get("rotate") == f"cw{expected['rotate']}"
    assert body["data"]["info"]["number"] == expected["info"]["number"]

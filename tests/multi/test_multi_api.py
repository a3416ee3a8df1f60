"""``multi=1`` through the whole service with the real recogniser: every card listed with its
own extras, one charge per photo; a plain answer on a page is one card (the front)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from idcard_ocr.api import create_app
from idcard_ocr.client import AsyncClient
from idcard_ocr.contract.codes import MSG_CROWDED
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import open_store
from tests.extras.conftest import OptionsService, _service_on
from tests.multi.conftest import PAGES, crowded_photo, truth_of

pytestmark = [pytest.mark.anyio, pytest.mark.models]


@pytest.fixture
async def service(tmp_path: Path, recognizer: Any) -> AsyncIterator[OptionsService]:
    async for running in _service_on(tmp_path, recognizer):
        yield running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_multi_lists_both_sides_with_their_extras_and_bills_once(service: OptionsService) -> None:
    file = "copy_0002.jpg"  # the back above the front, turned half-way round
    expected = truth_of(file)["cards"]
    body = await service.ask((PAGES / file).read_bytes(), multi="1", detail="1", quality="1", risk="1")
    assert body["code"] == 200 and body["msg"] == "成功" and body["charge"] is True
    assert service.balance() == 99  # one photo, one charge, however many cards
    data = body["data"]
    assert data["side"] == "front" and data["info"] == truth_of(file)["cards"][1]["info"]
    cards = data["cards"]
    assert [card["side"] for card in cards] == ["back", "front"]
    assert [card.get("rotate") for card in cards] == ["cw180", None]
    for card, truth in zip(cards, expected, strict=True):
        assert card["result"] == 0 and card["info"] == truth["info"]
        assert all(card["validity"].values())
        assert set(card) >= {"detail", "quality", "risk"}
        assert card["risk"]["flags"]["photocopy"] is True
    assert cards[1]["risk"]["numberCheck"] == 1 and cards[0]["risk"]["numberCheck"] == -1
    # Each card's boxes are its own: the back's card quad lies above the front's.
    assert max(y for _, y in cards[0]["detail"]["card"]) < min(y for _, y in cards[1]["detail"]["card"])


async def test_plain_answer_is_the_front_and_side_back_chooses_the_back(service: OptionsService) -> None:
    file = "desk_0001.jpg"
    photo = (PAGES / file).read_bytes()
    plain = await service.ask(photo)
    assert plain["data"]["side"] == "front" and "cards" not in plain["data"]
    assert list(plain["data"]) == ["result", "side", "rotate", "info", "validity"]
    assert plain["data"]["info"] == truth_of(file)["cards"][0]["info"]
    back = await service.ask(photo, side="back")
    assert back["data"]["side"] == "back" and back["data"]["sideMatch"] is True
    assert back["data"]["info"] == truth_of(file)["cards"][1]["info"]
    assert service.balance() == 98


async def test_more_than_one_front_and_back_is_said_and_billed_once(service: OptionsService) -> None:
    body = await service.ask(crowded_photo(), multi="1")
    assert body["code"] == 200 and body["msg"] == MSG_CROWDED and body["charge"] is True
    assert [card["side"] for card in body["data"]["cards"]] == ["front", "back", "front", "back"]
    assert service.balance() == 99


async def test_multi_on_a_single_card_photo_lists_that_card(service: OptionsService) -> None:
    photo = (PAGES.parent / "cards" / "back_0001.jpg").read_bytes()
    plain = await service.ask(photo)
    body = await service.ask(photo, multi="true")
    assert body["msg"] == "成功"
    listed = body["data"].pop("cards")
    assert body["data"] == plain["data"] and listed == [plain["data"]]


async def test_a_bad_multi_value_is_refused_unbilled(service: OptionsService) -> None:
    body = await service.ask((PAGES / "copy_0001.jpg").read_bytes(), multi="yes")
    assert body["code"] == 400 and body["msg"] == "参数错误: multi" and body["charge"] is False
    assert service.balance() == 100


async def test_the_sdk_gives_both_cards_of_a_copy_page(tmp_path: Path, recognizer: Any) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    account, secret = store.create_account(balance=10)
    app = create_app(settings, store, recognizer)
    transport = httpx.ASGITransport(app=app)
    file = "copy_0001.jpg"  # both sides turned a quarter
    try:
        async with AsyncClient(account.app_id, secret, "http://t", transport=transport) as ocr:
            result = await ocr.recognize(file=PAGES / file, multi=1)
    finally:
        app.state.endpoint.close()
        store.close()
    front, back = (card["info"] for card in truth_of(file)["cards"])
    assert [card.side for card in result.cards] == ["front", "back"]
    assert [card.rotate for card in result.cards] == [90, 90]
    assert result.card_front is not None and result.card_front.number == front["number"]
    assert result.card_front.name == front["name"] and result.card_front.address == front["address"]
    assert result.card_back is not None and result.card_back.timelimit == back["timelimit"]
    assert result.charged and result.front is not None and result.front.number == front["number"]

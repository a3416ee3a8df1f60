"""The demo page shows the extra output (boxes, confidences, crops, warnings) when ``data`` has it.

The endpoint here is a stand-in that records the form and answers with what the real service adds
for the options sent (``idcard_ocr.api.extras.extras_for`` on the uploaded photo), around a fixed
recognition of the test card, so the page's drawing and its request are judged on their own.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from idcard_ocr.api.extras import FLAG_FIELDS, ExtraOptions, extras_for
from idcard_ocr.contract.card import data_of
from idcard_ocr.pipeline.types import FieldReading, Recognition, Side
from idcard_ocr.settings import Settings
from idcard_ocr.web import DemoAccount, demo_router, write_demo_account
from tests.web.chromium import Browser
from tests.web.conftest import CARDS
from tests.web.live_server import serve_in_thread

# The risk check reads the card's header with the real text models.
pytestmark = [pytest.mark.slow, pytest.mark.models]

ACCOUNT = DemoAccount("demo-extras-app", "extras-secret-abcdef0123456789")
PHOTO = CARDS / "front_0001.jpg"
OPTIONS = tuple(FLAG_FIELDS)


def _recognition_of_the_test_card() -> Recognition:
    """front_0001.jpg as read, from its known answer, with three deliberate faults: the sex is
    misread (the number says female), nation and address were not found, and the card is 180°."""
    truth = next(c for c in json.loads((CARDS / "truth.json").read_text()) if c["file"] == PHOTO.name)
    info = {**truth["info"], "sex": "男"}
    found = ("name", "number", "sex", "year", "month", "day")

    def quad(points: list[list[float]]) -> Any:
        return tuple((x, y) for x, y in points)

    return Recognition(
        text_found=True,
        side="front",
        rotate=180,
        info=info,
        validity={"birthday": True, "number": True, "address": True, "sex": False, "name": True},
        fields={key: FieldReading(info[key], 0.987, quad(truth["fields"][key])) for key in found},
        card_quad=quad(truth["quad"]),
    )


READ_EXTRAS = """
const svg = document.getElementById('boxes');
const crops = [...document.querySelectorAll('#crops img')];
return {
  state: document.getElementById('status').dataset.state,
  viewBox: svg.getAttribute('viewBox'),
  boxes: [...svg.querySelectorAll('polygon')].map((p) => [p.dataset.field, p.getAttribute('points')]),
  confidence: Object.fromEntries([...document.querySelectorAll('#fields tbody tr')]
    .map((r) => [r.dataset.field, r.querySelector('td.confidence').innerText])),
  crops: crops.map((img) => [img.dataset.crop, img.naturalWidth, img.naturalHeight]),
  cropsShown: !document.getElementById('crops').hidden,
  warnings: [...document.querySelectorAll('#warnings li')].map((li) => li.innerText),
  warningsShown: !document.getElementById('warnings').hidden,
  score: document.querySelector('#quality-score output').innerText,
  rotate: document.getElementById('rotate').innerText,
};
"""


def _stand_in_app(data_dir: Path, seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()
    app.include_router(demo_router(Settings(data_dir=data_dir)))
    recognition = _recognition_of_the_test_card()

    @app.post("/ocr/idcard-v1")
    async def recognize(request: Request) -> JSONResponse:
        form = await request.form()
        upload = form["file"]
        photo = await upload.read() if not isinstance(upload, str) else b""
        seen.append({**{k: v for k, v in form.items() if isinstance(v, str)}, "photo": photo})
        asked = {attribute: form.get(name) == "1" for name, attribute in FLAG_FIELDS.items()}
        side = form.get("side")
        expected_side: Side | None = "front" if side == "front" else "back" if side == "back" else None
        options = ExtraOptions(**asked, expected_side=expected_side)
        extra = await run_in_threadpool(extras_for, options, photo, recognition)
        data = {**data_of(recognition), **extra}
        return JSONResponse({"code": 200, "msg": "成功", "taskNo": "1" * 20, "charge": True, "data": data})

    return app


def test_extras_are_drawn_and_the_request_is_signed(browser: Browser, tmp_path: Path) -> None:
    write_demo_account(tmp_path, ACCOUNT)
    seen: list[dict[str, Any]] = []
    with serve_in_thread(_stand_in_app(tmp_path, seen)) as url:
        browser.open(url + "/demo")
        browser.wait_for("return document.getElementById('status').dataset.state === 'ready'")
        browser.run("document.querySelector('#options select[name=side]').value = 'back'")
        browser.choose_file("#photo", PHOTO)
        browser.wait_for("return document.getElementById('status').dataset.state === 'done'", timeout_s=30)
        browser.wait_for("return [...document.querySelectorAll('#crops img')].every((i) => i.complete)")
        shown = browser.run(READ_EXTRAS)

    # The request: the photo as picked, every option and the side asked for, a valid sign.
    assert len(seen) == 1
    sent = seen[0]
    assert sent["photo"] == PHOTO.read_bytes()
    assert all(sent[option] == "1" for option in OPTIONS)
    assert sent["appId"] == ACCOUNT.app_id
    assert abs(int(sent["timestamp"]) - time.time() * 1000) < 60_000
    expected = hashlib.sha256(f"{ACCOUNT.app_id}{ACCOUNT.secret}{sent['timestamp']}".encode()).hexdigest()
    assert sent["sign"] == expected
    assert sent["side"] == "back"
    assert ACCOUNT.secret not in str(sent)

    # Boxes over the photo, in the photo's own pixels: the card and each field that was found.
    width, height = Image.open(PHOTO).size
    assert shown["viewBox"] == f"0 0 {width} {height}"
    boxes = dict(shown["boxes"])
    assert set(boxes) == {"card", "name", "number", "sex", "year", "month", "day"}
    assert boxes["card"] == "105.3,80.7 1237.8,66.8 1246.5,781.2 114,795.1"
    assert boxes["name"] == "318.2,180 451.2,178.4 451.7,220.7 318.7,222.3"
    assert shown["confidence"]["name"] == "0.987"
    assert shown["confidence"]["address"] == "—"  # not found: box null, confidence 0
    # The straightened card and the portrait, decoded from base64 at the documented sizes.
    assert shown["cropsShown"]
    assert sorted(shown["crops"]) == [["card", 856, 540], ["portrait", 290, 370]]
    # Only what is wrong, in words: two unread fields (occluded), the sex against the number,
    # the side. The score is beside them, not one of them; flags that are false are not listed.
    assert shown["warningsShown"]
    assert shown["score"] == "70/100"
    assert shown["warnings"] == [
        "有遮挡 something covers the card",
        "号码与性别不符 the number disagrees with the printed sex",
        "不是所选的一面 not the side expected (识别为 read as front 人像面)",
    ]
    assert shown["rotate"].startswith("cw180")


def test_with_every_option_off_nothing_extra_is_asked_for_or_shown(browser: Browser, tmp_path: Path) -> None:
    write_demo_account(tmp_path, ACCOUNT)
    seen: list[dict[str, Any]] = []
    with serve_in_thread(_stand_in_app(tmp_path, seen)) as url:
        browser.open(url + "/demo")
        browser.wait_for("return document.getElementById('status').dataset.state === 'ready'")
        browser.run("document.querySelectorAll('#options input').forEach((box) => { box.checked = false; })")
        browser.choose_file("#photo", PHOTO)
        browser.wait_for("return document.getElementById('status').dataset.state === 'done'", timeout_s=30)
        shown = browser.run(READ_EXTRAS)
        confidence_column = browser.run("return document.getElementById('fields').dataset.confidence")

    # The contract's request only, so the contract's body only: no boxes, crops or warnings.
    assert set(seen[0]) == {"appId", "timestamp", "sign", "photo"}  # photo: the file part
    assert shown["boxes"] == [] and not shown["cropsShown"] and not shown["warningsShown"]
    assert confidence_column == "none"

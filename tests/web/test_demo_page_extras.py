"""The demo page shows the extra output (boxes, confidences, crops, warnings) when ``data`` has it.

The endpoint here is a stand-in that records the form and answers with every extra at once, so
the page's drawing and its request (sign, options, photo) are judged on their own.
"""

from __future__ import annotations

import base64
import hashlib
import io
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image
from starlette.requests import Request
from starlette.responses import JSONResponse

from idcard_ocr.settings import Settings
from idcard_ocr.web import DemoAccount, demo_router, write_demo_account
from tests.web.chromium import Browser
from tests.web.conftest import CARDS
from tests.web.live_server import FRONT_INFO, serve_in_thread

pytestmark = pytest.mark.slow

ACCOUNT = DemoAccount("demo-extras-app", "extras-secret-abcdef0123456789")
PHOTO = CARDS / "front_0001.jpg"
OPTIONS = ("detail", "cropCard", "cropPortrait", "quality", "risk")


def _image_base64(size: tuple[int, int], kind: str) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(out, kind)
    return base64.b64encode(out.getvalue()).decode()


RICH_DATA: dict[str, Any] = {
    "result": 0,
    "side": "front",
    "rotate": "cw180",
    "info": FRONT_INFO,
    "validity": {"birthday": True, "number": True, "address": True, "sex": True, "name": True},
    "detail": {
        "name": {
            "text": "赵宁宁",
            "confidence": 0.987,
            "box": [[318, 180], [451, 178], [451, 221], [318, 223]],
        },
        "number": {"confidence": 0.9, "box": [476, 701, 1130, 693, 1131, 728, 477, 736]},
        "sex": {"confidence": 0.95},  # a confidence without a box: shown in the table, not drawn
    },
    "cardQuad": [[105, 80], [1237, 66], [1246, 781], [114, 795]],
    "cropCard": _image_base64((428, 270), "JPEG"),
    "cropPortrait": "data:image/png;base64," + _image_base64((90, 110), "PNG"),
    "quality": {"warnings": ["blur"], "score": 0.42},
    "risk": [{"code": "copy", "msg": "疑似复印件"}],
}

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
  rotate: document.getElementById('rotate').innerText,
};
"""


def _stand_in_app(data_dir: Path, seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()
    app.include_router(demo_router(Settings(data_dir=data_dir)))

    @app.post("/ocr/idcard-v1")
    async def recognize(request: Request) -> JSONResponse:
        form = await request.form()
        upload = form["file"]
        photo = await upload.read() if not isinstance(upload, str) else b""
        seen.append({**{k: v for k, v in form.items() if isinstance(v, str)}, "photo": photo})
        body = {"code": 200, "msg": "成功", "taskNo": "1" * 20, "charge": True, "data": RICH_DATA}
        return JSONResponse(body)

    return app


def test_extras_are_drawn_and_the_request_is_signed(browser: Browser, tmp_path: Path) -> None:
    write_demo_account(tmp_path, ACCOUNT)
    seen: list[dict[str, Any]] = []
    with serve_in_thread(_stand_in_app(tmp_path, seen)) as url:
        browser.open(url + "/demo")
        browser.wait_for("return document.getElementById('status').dataset.state === 'ready'")
        browser.choose_file("#photo", PHOTO)
        browser.wait_for("return document.getElementById('status').dataset.state === 'done'", timeout_s=30)
        browser.wait_for("return [...document.querySelectorAll('#crops img')].every((i) => i.complete)")
        shown = browser.run(READ_EXTRAS)

    # The request: the photo as picked, every option asked for, a sign the contract accepts.
    assert len(seen) == 1
    sent = seen[0]
    assert sent["photo"] == PHOTO.read_bytes()
    assert all(sent[option] == "1" for option in OPTIONS)
    assert sent["appId"] == ACCOUNT.app_id
    assert abs(int(sent["timestamp"]) - time.time() * 1000) < 60_000
    expected = hashlib.sha256(f"{ACCOUNT.app_id}{ACCOUNT.secret}{sent['timestamp']}".encode()).hexdigest()
    assert sent["sign"] == expected
    assert ACCOUNT.secret not in str(sent)

    # Boxes over the photo, in the photo's own pixels.
    width, height = Image.open(PHOTO).size
    assert shown["viewBox"] == f"0 0 {width} {height}"
    boxes = dict(shown["boxes"])
    assert set(boxes) == {"card", "name", "number"}
    assert boxes["name"] == "318,180 451,178 451,221 318,223"
    assert boxes["number"] == "476,701 1130,693 1131,728 477,736"
    assert shown["confidence"]["name"] == "0.987" and shown["confidence"]["sex"] == "0.950"
    assert shown["confidence"]["address"] == ""
    # Crops decoded from base64 and from a data: URL.
    assert shown["cropsShown"]
    assert sorted(shown["crops"]) == [["card", 428, 270], ["portrait", 90, 110]]
    # Quality and risk warnings, readable.
    assert shown["warningsShown"]
    assert "quality.warnings: blur" in shown["warnings"]
    assert "risk: copy 疑似复印件" in shown["warnings"]
    assert shown["rotate"].startswith("cw180")

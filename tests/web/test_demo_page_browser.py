"""The demo page in headless Chromium against the real app on a loopback port.

A user opens ``/``, lands on ``/demo``, picks a photo and must see the card's fields, the ticks,
the side and rotation; the server must have received exactly that photo with a valid sign
(the demo account is billed once).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from idcard_ocr.pipeline.types import Recognition
from tests.web.chromium import Browser
from tests.web.conftest import CARDS, DemoService
from tests.web.live_server import FRONT_INFO, StubRecognizer, front_recognition

pytestmark = pytest.mark.slow
# The page is judged here, not the storage: one backend is enough.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FRONT_PHOTO = CARDS / "front_0001.jpg"
SHOWN_STATE = "return ['done', 'failed', 'error'].includes(document.getElementById('status').dataset.state)"
READ_PAGE = """
const text = (id) => document.getElementById(id).innerText.trim();
const rows = [...document.querySelectorAll('#fields tbody tr')];
return {
  status: text('status'),
  state: document.getElementById('status').dataset.state,
  result: text('result'), side: text('side'), rotate: text('rotate'),
  charge: text('charge'), code: text('code'),
  taskNo: text('task-no'),
  fields: Object.fromEntries(rows.map((r) => [r.dataset.field, r.querySelector('td.value').innerText])),
  labels: rows.map((r) => r.querySelector('th').innerText),
  ticks: Object.fromEntries(rows.map((r) => [r.dataset.field, r.querySelector('td.tick').dataset.valid])),
  validity: Object.fromEntries([...document.querySelectorAll('#validity li')]
    .map((li) => [li.id.replace('valid-', ''), li.dataset.valid])),
  cropsShown: !document.getElementById('crops').hidden,
  warningsShown: !document.getElementById('warnings').hidden,
  warnings: [...document.querySelectorAll('#warnings li')].map((li) => li.innerText),
  score: document.getElementById('quality-score').hidden ? null
    : document.querySelector('#quality-score output').innerText,
  photoShown: document.getElementById('preview').naturalWidth > 0,
};
"""


def upload(browser: Browser, base_url: str, photo: Path) -> dict[str, Any]:
    """Open the site root, pick ``photo`` like a user and return what the page shows."""
    browser.open(base_url + "/")
    browser.wait_for("return document.getElementById('status').dataset.state === 'ready'")
    browser.choose_file("#photo", photo)
    browser.wait_for(SHOWN_STATE, timeout_s=60)
    browser.wait_for("return document.getElementById('preview').complete")
    shown: dict[str, Any] = browser.run(READ_PAGE)
    return shown


@sqlite_only
def test_root_leads_to_the_demo_page_that_shows_a_front_card(
    browser: Browser, demo_service: Callable[..., DemoService]
) -> None:
    stub = StubRecognizer(answer=front_recognition(rotate=90))
    service = demo_service(stub, balance=10)

    shown = upload(browser, service.url, FRONT_PHOTO)

    assert browser.url == service.url + "/demo"
    assert shown["state"] == "done", shown["status"]
    assert shown["fields"] == FRONT_INFO
    assert shown["result"].startswith("0")
    assert shown["side"].startswith("front")
    assert shown["rotate"].startswith("cw90")
    assert shown["charge"].startswith("是")
    assert len(shown["taskNo"]) == 20
    assert shown["validity"] == {
        "birthday": "true",
        "number": "true",
        "address": "true",
        "sex": "true",
        "name": "false",
    }
    # Each field carries the tick of the check that vouches for it; nation has none.
    assert shown["ticks"]["name"] == "false" and shown["ticks"]["day"] == "true"
    assert shown["ticks"]["nation"] == ""
    assert shown["photoShown"]
    # The page asks for every extra; the real server measured this photo around the stub's answer.
    # The stub gives no card outline, so there is nothing to crop and no quality to judge: the
    # score is 0 and says why, beside the warnings rather than as one. The only warning is the one
    # the server really raised: the contract's sample number has a wrong check character
    # (numberCheck 0). Flags that are false are not shown.
    assert not shown["cropsShown"]
    assert shown["warningsShown"]
    assert shown["score"] == "0/100（未找到卡片轮廓，无法评估 no card outline found）"
    assert len(shown["warnings"]) == 1 and shown["warnings"][0].startswith("号码无效"), shown["warnings"]
    # The server got this very photo, signed well enough to bill the demo account once.
    assert stub.seen == [FRONT_PHOTO.read_bytes()]
    assert service.balance() == 9


@sqlite_only
def test_a_back_side_shows_authority_and_term(
    browser: Browser, demo_service: Callable[..., DemoService]
) -> None:
    back = Recognition(
        text_found=True,
        side="back",
        rotate=270,
        info={"authority": "杭州市公安局余杭分局", "timelimit": "20100806-20200806"},
        validity={"authority": True, "timelimit": True},
    )
    service = demo_service(StubRecognizer(answer=back))

    shown = upload(browser, service.url, CARDS / "back_0001.jpg")

    assert shown["side"].startswith("back")
    assert shown["rotate"].startswith("cw270")
    assert shown["fields"] == {"authority": "杭州市公安局余杭分局", "timelimit": "20100806-20200806"}
    assert shown["ticks"] == {"authority": "true", "timelimit": "true"}
    assert shown["labels"] == ["签发机关", "有效期限"]
    # The term ended in 2020: the server's risk check raises "expired", and the page says so.
    assert shown["warnings"] == ["证件已过期 card has expired"]


@sqlite_only
def test_a_refused_call_is_shown_with_its_code(
    browser: Browser, demo_service: Callable[..., DemoService]
) -> None:
    stub = StubRecognizer()
    service = demo_service(stub, balance=0)  # the demo account cannot pay: 603

    shown = upload(browser, service.url, FRONT_PHOTO)

    assert shown["state"] == "failed"
    assert "603" in shown["status"] and "余额不足" in shown["status"]
    assert shown["fields"] == {}
    assert stub.seen == []


@sqlite_only
def test_a_photo_over_the_limits_is_scaled_down_before_it_is_sent(
    browser: Browser, demo_service: Callable[..., DemoService], tmp_path: Path
) -> None:
    # A phone photo: more than 4000 px wide and, being noisy, more than 2 MB as a JPEG.
    noise = Image.effect_noise((4400, 3000), 90).convert("RGB")
    big = tmp_path / "phone.jpg"
    noise.save(big, "JPEG", quality=95)
    assert big.stat().st_size > 2 * 1024 * 1024
    stub = StubRecognizer()
    service = demo_service(stub)

    shown = upload(browser, service.url, big)

    assert shown["state"] == "done", shown["status"]
    assert len(stub.seen) == 1
    sent = Image.open(io.BytesIO(stub.seen[0]))
    assert len(stub.seen[0]) <= 2 * 1024 * 1024
    assert max(sent.size) <= 4000
    assert abs(sent.size[0] / sent.size[1] - 4400 / 3000) < 0.01  # same shape, only smaller


def test_the_fallback_sha256_matches_hashlib(browser: Browser) -> None:
    # Pages opened over plain http from another machine have no crypto.subtle and use this one.
    texts = [
        "",
        "abc",
        "a" * 55,
        "a" * 56,
        "a" * 64,
        "a" * 119,
        "演示账号🙂",
        "xyzxy2121zxyzefcefcef1121cefcefc12121211555378976238",
    ]  # the contract's sign example
    sign_js = resources.files("idcard_ocr.web").joinpath("static", "sign.js").read_text(encoding="utf-8")
    browser.open("data:text/html,<title>sha256</title>")
    script = (
        sign_js + "\nreturn arguments[0].map((t) => IdcardSign.sha256Bytes(new TextEncoder().encode(t)));"
    )
    assert browser.run(script, texts) == [hashlib.sha256(t.encode()).hexdigest() for t in texts]


@pytest.mark.models
@sqlite_only
def test_the_real_recogniser_reads_the_photo_shown_on_the_page(
    browser: Browser, demo_service: Callable[..., DemoService]
) -> None:
    from idcard_ocr.pipeline import load_recognizer

    truth = next(
        card for card in json.loads((CARDS / "truth.json").read_text()) if card["file"] == FRONT_PHOTO.name
    )
    service = demo_service(load_recognizer())

    shown = upload(browser, service.url, FRONT_PHOTO)

    assert shown["state"] == "done", shown["status"]
    assert shown["side"].startswith("front")
    assert shown["fields"]["number"] == truth["info"]["number"], shown["fields"]
    assert shown["fields"]["name"] == truth["info"]["name"], shown["fields"]
    assert shown["validity"]["number"] == "true"


READ_CARDS = """
return [...document.querySelectorAll('#cards li.card')].map((li) => ({
  side: li.dataset.side, title: li.querySelector('h3').innerText,
  fields: Object.fromEntries([...li.querySelectorAll('tr')]
    .map((r) => [r.dataset.field, r.querySelector('td.value').innerText])),
}));
"""


@sqlite_only
@pytest.mark.models
def test_a_copy_page_shows_both_cards_with_their_fields(
    browser: Browser, demo_service: Callable[..., DemoService]
) -> None:
    from idcard_ocr.pipeline import load_recognizer

    pages = CARDS.parent / "pages"
    expected = json.loads((pages / "truth.json").read_text(encoding="utf-8"))[1]  # copy_0002.jpg
    service = demo_service(load_recognizer(), balance=10)
    shown = upload(browser, service.url, pages / expected["file"])
    assert shown["state"] == "done", shown["status"]
    cards = browser.run(READ_CARDS)
    assert [card["side"] for card in cards] == [card["side"] for card in expected["cards"]]
    assert [card["fields"] for card in cards] == [card["info"] for card in expected["cards"]]
    assert "cw180" in cards[0]["title"]
    # Each card is outlined on the photo, numbered in reading order.
    outlined = browser.run("return [...document.querySelectorAll('#boxes polygon.numbered')].length")
    assert outlined == 2
    assert shown["fields"] == expected["cards"][1]["info"]  # the plain answer: the front
    assert service.balance() == 9

"""Every option through the whole service with the real recogniser, on photos with known answers:
the committed set (``tests/data/cards``) and cards drawn and damaged here."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest

from idcard_ocr.pipeline.geometry import warp
from tests.api.test_openapi import fits
from tests.extras import photos
from tests.extras.conftest import CARDS, RealService, truth
from tests.extras.photos import CardPhoto
from tests.fonts import needs_fonts

pytestmark = [pytest.mark.anyio, pytest.mark.models]
CARD_ASPECT = 856 / 540
# Truth field keys -> the answer's keys (the three address lines are one field; so is the birth line).
TRUTH_KEY = {"address_1": "address", "address_2": "address", "address_3": "address"}


def _inside(point: list[float], quad: list[list[float]]) -> bool:
    contour = np.asarray(quad, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0


def _decoded(jpeg_base64: str) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(base64.b64decode(jpeg_base64), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


@pytest.mark.parametrize("file", ["front_0001.jpg", "front_0017.jpg", "back_0002.jpg"])
async def test_detail_boxes_hold_each_field_in_upload_pixels(real_service: RealService, file: str) -> None:
    # front_0017 is stored sideways with EXIF orientation 6: boxes are in the photo as displayed.
    expected = truth(file)
    body = await real_service.ask((CARDS / file).read_bytes(), detail="1")
    detail = body["data"]["detail"]
    card_width = float(np.linalg.norm(np.subtract(expected["quad"][1], expected["quad"][0])))
    corner_error = np.linalg.norm(np.subtract(detail["card"], expected["quad"]), axis=1).max()
    assert corner_error < 0.02 * card_width
    for truth_key, truth_box in expected["fields"].items():
        field = detail["fields"][TRUTH_KEY.get(truth_key, truth_key)]
        assert field["box"] is not None, truth_key
        assert _inside(np.mean(truth_box, axis=0).tolist(), field["box"]), truth_key
        assert 0.0 < field["confidence"] <= 1.0


async def test_crops_are_the_upright_card_and_the_portrait(real_service: RealService) -> None:
    file = "front_0002.jpg"  # turned 90 degrees: the crop must still be upright
    photo = (CARDS / file).read_bytes()
    body = await real_service.ask(photo, cropCard="1", cropPortrait="true")
    card = _decoded(body["data"]["cropCard"])
    assert abs(card.shape[1] / card.shape[0] / CARD_ASPECT - 1) < 0.02
    displayed = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    assert displayed is not None
    true_card = warp(displayed, truth(file)["quad"])
    assert np.abs(card.astype(np.int16) - true_card.astype(np.int16)).mean() < 12
    portrait = _decoded(body["data"]["cropPortrait"])
    assert portrait.shape[0] > portrait.shape[1]  # a head-and-shoulders picture stands upright
    assert body["charge"] is True and real_service.balance() == 99


async def test_the_back_has_a_card_crop_and_no_portrait(real_service: RealService) -> None:
    body = await real_service.ask((CARDS / "back_0001.jpg").read_bytes(), cropCard="1", cropPortrait="1")
    card = _decoded(body["data"]["cropCard"])
    assert abs(card.shape[1] / card.shape[0] / CARD_ASPECT - 1) < 0.02
    assert "cropPortrait" not in body["data"]


@pytest.mark.parametrize("file", ["front_0001.jpg", "back_0001.jpg"])
async def test_clean_cards_pass_quality_and_risk(real_service: RealService, file: str) -> None:
    options = {"detail": "1", "cropCard": "1", "cropPortrait": "1", "quality": "1", "risk": "1"}
    body = await real_service.ask((CARDS / file).read_bytes(), **options, side=truth(file)["side"])
    schema = (await real_service.http.get("/openapi.json")).json()
    envelope = schema["paths"]["/ocr/idcard-v1"]["post"]["responses"]["200"]["content"]["application/json"]
    assert fits(body, envelope["schema"])  # every extra is in the published description
    data = body["data"]
    assert data["sideMatch"] is True
    assert not any(data["quality"]["flags"].values()), data["quality"]["metrics"]
    assert data["quality"]["score"] == 100
    assert not any(data["risk"]["flags"].values()), data["risk"]["metrics"]
    assert data["risk"]["numberCheck"] == (1 if data["side"] == "front" else -1)


def _seeded(damage: Callable[[CardPhoto], CardPhoto], side: str = "front") -> Callable[[], CardPhoto]:
    return lambda: damage(photos.clean_photo(f"e2e-{damage.__name__}-{side}", side))  # type: ignore[arg-type]


WARNINGS: list[tuple[str, str, Callable[[], CardPhoto]]] = [
    ("quality", "blur", _seeded(photos.blurred)),
    ("quality", "glare", _seeded(photos.with_glare, "back")),
    ("quality", "occluded", _seeded(photos.with_thumb)),
    ("quality", "cutOff", _seeded(photos.cut_off, "back")),
    ("quality", "tooSmall", _seeded(photos.shrunk)),
    ("risk", "photocopy", _seeded(photos.greyed)),
    ("risk", "temporary", lambda: photos.temporary_photo("t2")),
    ("risk", "expired", lambda: photos.clean_photo("e2e-expired", "back", photos.expired_identity("e2e"))),
]


@needs_fonts
@pytest.mark.parametrize(("option", "flag", "make"), WARNINGS, ids=[flag for _, flag, _ in WARNINGS])
async def test_each_warning_fires_through_the_service(
    real_service: RealService, option: str, flag: str, make: Callable[[], CardPhoto]
) -> None:
    body = await real_service.ask(make().jpeg(), **{option: "1"})
    report: dict[str, Any] = body["data"][option]
    assert report["flags"][flag], report
    if option == "quality":
        assert report["score"] < 100


async def test_expected_side_mismatch_keeps_the_detected_fields(real_service: RealService) -> None:
    expected = truth("front_0001.jpg")
    photo = (CARDS / "front_0001.jpg").read_bytes()
    body = await real_service.ask(photo, side="back")
    assert body["data"]["sideMatch"] is False and body["data"]["side"] == "front"
    assert body["data"]["info"]["number"] == expected["info"]["number"]
    plain = await real_service.ask(photo)  # and without options, the contract's body exactly
    assert list(plain) == ["code", "msg", "taskNo", "charge", "data"]
    assert list(plain["data"]) == ["result", "side", "info", "validity"]
    assert plain["data"]["info"] == body["data"]["info"]
    assert plain["data"]["validity"] == body["data"]["validity"]
    assert real_service.balance() == 98  # both billed once, options or not

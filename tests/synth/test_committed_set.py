"""The committed photos in tests/data/cards: truth consistent with the domain, coverage as promised.

Needs no fonts: it reads the committed files only.
"""

from __future__ import annotations

import json
from collections import Counter

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from idcard_ocr.contract.card import BACK_INFO_KEYS, FRONT_INFO_KEYS
from idcard_ocr.domain.authority import is_valid_authority
from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.nations import is_nation
from idcard_ocr.domain.regions import address_province_matches
from idcard_ocr.domain.terms import is_valid_timelimit
from idcard_ocr.synth.names import RARE_CHARS
from tests.synth.conftest import CARDS_DIR

Record = dict


@pytest.fixture(scope="module")
def truth() -> list[Record]:
    records: list[Record] = json.loads((CARDS_DIR / "truth.json").read_text(encoding="utf-8"))
    return records


def _cards(truth: list[Record], side: str) -> list[Record]:
    return [r for r in truth if r["side"] == side and "kind" not in r]


def test_every_file_is_an_upload_the_api_accepts(truth: list[Record]) -> None:
    assert sorted(r["file"] for r in truth) == sorted(p.name for p in CARDS_DIR.glob("*.jpg"))
    for record in truth:
        path = CARDS_DIR / record["file"]
        assert path.stat().st_size <= 2 * 1024 * 1024
        with Image.open(path) as image:
            assert image.format == "JPEG" and min(image.size) > 8 and max(image.size) <= 4000
    assert sum(p.stat().st_size for p in CARDS_DIR.iterdir()) < 6_000_000


def test_front_truth_passes_the_domain_checks(truth: list[Record]) -> None:
    for record in _cards(truth, "front"):
        info = record["info"]
        assert list(info) == list(FRONT_INFO_KEYS)
        facts = parse_number(info["number"])
        assert facts is not None, record["file"]
        assert facts.sex == info["sex"]
        assert (str(facts.birth.year), str(facts.birth.month), str(facts.birth.day)) == (
            info["year"],
            info["month"],
            info["day"],
        )
        assert address_province_matches(info["address"], info["number"][:6])
        assert is_nation(info["nation"])


def test_back_truth_passes_the_domain_checks(truth: list[Record]) -> None:
    for record in _cards(truth, "back"):
        assert list(record["info"]) == list(BACK_INFO_KEYS)
        assert is_valid_authority(record["info"]["authority"])
        assert is_valid_timelimit(record["info"]["timelimit"])


def test_the_set_covers_the_promised_cases(truth: list[Record]) -> None:
    fronts, backs = _cards(truth, "front"), _cards(truth, "back")
    for side in (fronts, backs):
        assert {r["rotate"] for r in side} == {0, 90, 180, 270}
        assert {"clean", "tilt"} <= {r["condition"] for r in side}
    assert any("·" in r["info"]["name"] for r in fronts)
    assert any(set(r["info"]["name"]) & set(RARE_CHARS) for r in fronts)
    assert any(r["info"]["number"].endswith("X") for r in fronts)
    lines = Counter(sum(k.startswith("address_") for k in r["fields"]) for r in fronts)
    assert lines[1] and lines[3]
    assert any(r["info"]["timelimit"].endswith("-长期") for r in backs)
    assert any(r.get("exif_orientation") in (6, 8) for r in fronts)
    kinds = {r.get("kind"): r for r in truth if "kind" in r}
    assert kinds["not_card"]["file"] == "notcard_text.jpg" and kinds["not_card"]["info"] == {}
    assert kinds["no_text"]["file"] == "notext.jpg" and kinds["no_text"]["side"] == "front"


def test_quads_and_field_boxes_lie_on_the_photo(truth: list[Record]) -> None:
    for record in truth:
        if record["quad"] is None:
            continue
        with Image.open(CARDS_DIR / record["file"]) as image:
            width, height = ImageOps.exif_transpose(image).size  # geometry is for the photo as shown
        quad = np.array(record["quad"], np.float32)
        assert (quad[:, 0] >= -0.5).all() and (quad[:, 0] <= width + 0.5).all()
        assert (quad[:, 1] >= -0.5).all() and (quad[:, 1] <= height + 0.5).all()
        for key, box in record["fields"].items():
            for x, y in box:
                assert cv2.pointPolygonTest(quad, (x, y), measureDist=False) >= 0, (record["file"], key)


def test_rotate_agrees_with_the_quad(truth: list[Record]) -> None:
    # The upright card's top edge (TL -> TR) points right at 0, down at 90, left at 180, up at 270.
    for record in truth:
        if record["quad"] is None:
            continue
        (x0, y0), (x1, y1) = record["quad"][0], record["quad"][1]
        angle = np.degrees(np.arctan2(y1 - y0, x1 - x0)) % 360
        nearest = min((0, 90, 180, 270), key=lambda a: min(abs(angle - a), 360 - abs(angle - a)))
        assert nearest == record["rotate"], record["file"]

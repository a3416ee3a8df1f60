"""The committed held-out photos in tests/data/heldout: the cases promised, answers that pass the
domain checks, print inside every photo, and a tool that draws the same bytes again."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from idcard_ocr.contract.card import BACK_INFO_KEYS, FRONT_INFO_KEYS
from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.regions import address_province_matches
from idcard_ocr.domain.terms import is_valid_timelimit
from tests.fonts import needs_fonts

Record = dict[str, Any]
HELDOUT_DIR = Path(__file__).resolve().parent.parent / "data" / "heldout"


@pytest.fixture(scope="module")
def truth() -> list[Record]:
    records: list[Record] = json.loads((HELDOUT_DIR / "truth.json").read_text(encoding="utf-8"))
    return records


def test_every_case_is_there_and_small(truth: list[Record]) -> None:
    assert sorted(r["file"] for r in truth) == sorted(p.name for p in HELDOUT_DIR.glob("*.jpg"))
    cases = Counter(r["case"] for r in truth)
    assert set(cases) == {"margin", "cut", "shifted", "faint"} and min(cases.values()) >= 3
    assert {r["family"] for r in truth} == {"heldout"}
    assert {r["side"] for r in truth} == {"front", "back"}
    assert sum(p.stat().st_size for p in HELDOUT_DIR.iterdir()) < 800_000


def test_answers_pass_the_domain_checks(truth: list[Record]) -> None:
    for record in truth:
        info = record["info"]
        if record["side"] == "back":
            assert list(info) == list(BACK_INFO_KEYS) and is_valid_timelimit(info["timelimit"])
            continue
        assert list(info) == list(FRONT_INFO_KEYS)
        facts = parse_number(info["number"])
        assert facts is not None and facts.sex == info["sex"], record["file"]
        assert (str(facts.birth.year), str(facts.birth.month), str(facts.birth.day)) == (
            info["year"],
            info["month"],
            info["day"],
        )
        assert address_province_matches(info["address"], info["number"][:6])


def test_print_lies_inside_every_photo_and_the_cases_hold(truth: list[Record]) -> None:
    for record in truth:
        with Image.open(HELDOUT_DIR / record["file"]) as image:
            width, height = image.size
        for key, box in record["fields"].items():
            assert all(0 <= x <= width and 0 <= y <= height for x, y in box), (record["file"], key)
        quad = record["quad"]
        corners_out = sum(not (0 <= x <= width and 0 <= y <= height) for x, y in quad)
        if record["case"] == "cut":
            assert corners_out >= 2, record["file"]  # the frame cut the card's corners away
        else:
            assert corners_out == 0, record["file"]
        if record["case"] == "shifted":
            assert max(abs(v) for v in record["print_offsets_mm"]["block"]) >= 2.4
        assert record["legibility"]["legible"] and record["legibility"]["char_px"] >= 14


@needs_fonts
def test_the_tool_draws_the_same_photos(tmp_path: Path) -> None:
    from tools.make_heldout_set import CASES, _draw, _smaller

    index = 3  # the first cut case
    case, framing, side, rotate, overrides = CASES[index]
    sample = _draw(index, case, framing, side, rotate, overrides)
    assert _smaller(sample) == (HELDOUT_DIR / f"{case}_{side}_{index + 1:02d}.jpg").read_bytes()

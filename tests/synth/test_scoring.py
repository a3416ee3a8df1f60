"""Benchmark scoring: a field counts only when the API would return exactly the true string."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from idcard_ocr.synth.scoring import Answer, answer_from, format_table, report, score_one

FRONT: dict[str, Any] = {
    "file": "front_0001.jpg", "side": "front", "rotate": 90, "condition": "tilt",
    "info": {"name": "赵宁宁", "number": "330106198912014010", "sex": "男", "nation": "汉", "year": "1989",
             "month": "12", "day": "1", "address": "浙江省杭州市西湖区文二路108号"},
}  # fmt: skip
NO_TEXT: dict[str, Any] = {"file": "notext.jpg", "side": "front", "rotate": 0, "condition": "no_text",
                           "kind": "no_text", "info": {}}  # fmt: skip


@dataclass
class Read:
    """A recognition as plain values (the shape the contract's answer is made from)."""

    text_found: bool
    side: str = "front"
    rotate: int = 0
    info: dict[str, str] = field(default_factory=dict)
    validity: dict[str, bool] = field(default_factory=dict)


def _reading(**changes: str) -> Answer:
    info = {**FRONT["info"], **changes}
    return answer_from(Read(True, "front", 90, info, {"name": True}), elapsed_ms=100.0)


def test_a_perfect_reading_scores_every_field() -> None:
    outcome = score_one(FRONT, _reading())
    assert outcome.all_ok and outcome.side_ok and outcome.rotate_ok and not outcome.misses


def test_one_wrong_character_is_a_miss_with_both_values() -> None:
    outcome = score_one(FRONT, _reading(name="赵宁"))
    assert not outcome.all_ok and outcome.fields_ok["number"]
    assert outcome.misses == [
        {"file": "front_0001.jpg", "field": "name", "expected": "赵宁宁", "got": "赵宁"}
    ]


def test_a_blanked_result_counts_as_wrong() -> None:
    blank = answer_from(Read(True, "front", 90, dict(FRONT["info"]), {}))  # result 1: the API returns ""
    assert blank.result == 1 and set(blank.info.values()) == {""}
    assert not any(score_one(FRONT, blank).fields_ok.values())


def test_wrong_rotation_is_reported_but_fields_still_count() -> None:
    outcome = score_one(FRONT, dataclasses.replace(_reading(), rotate=0))
    assert not outcome.rotate_ok and all(outcome.fields_ok.values())


def test_no_text_needs_the_301_verdict() -> None:
    assert score_one(NO_TEXT, answer_from(Read(text_found=False))).all_ok
    assert not score_one(NO_TEXT, _reading()).all_ok


def test_report_rates_and_table() -> None:
    outcomes = [
        score_one(FRONT, _reading()),
        score_one(FRONT, _reading(address="浙江省")),
        score_one(NO_TEXT, None),
    ]
    result = report(outcomes)
    tilt = result["conditions"]["tilt"]
    assert (tilt["n"], tilt["fields"]["address"], tilt["fields"]["name"], tilt["all_fields"]) == (
        2,
        50.0,
        100.0,
        50.0,
    )
    assert tilt["fields"]["authority"] is None
    assert result["groups"]["not_card"]["verdict"] == 0.0
    assert result["timing_ms"]["p50"] == 100.0
    assert "tilt" in format_table(result) and len(result["misses"]) == 2


def test_illegible_photos_are_scored_apart_with_their_honest_refusals() -> None:
    legible = {**FRONT, "legibility": {"legible": True}}
    illegible = {**FRONT, "file": "front_0002.jpg", "legibility": {"legible": False}}
    refused = answer_from(Read(True, "front", 90, {**FRONT["info"], "name": "赵守"}, {"name": False}))
    silently_wrong = answer_from(Read(True, "front", 90, {**FRONT["info"], "name": "赵守"}, {"name": True}))
    outcomes = [
        score_one(legible, _reading()),
        score_one(illegible, refused),
        score_one(illegible, silently_wrong),
        score_one(illegible, refused),
    ]
    result = report(outcomes)
    groups = result["groups"]
    assert (groups["photo-legible"]["n"], groups["photo-legible"]["all_fields"]) == (1, 100.0)
    assert groups["photo-illegible"]["n"] == 3
    assert groups["photo-illegible"]["honest"] == pytest.approx(66.7)  # one of three silently wrong
    assert result["illegible_share_of_photos"] == 75.0
    table = format_table(result)
    assert "photo-illegible" in table and "illegible photos: 3 (75.0% of photos)" in table


def test_a_set_without_legibility_is_not_split() -> None:
    result = report([score_one(FRONT, _reading())])
    assert result["illegible_share_of_photos"] is None
    assert result["groups"]["photo-legible"]["n"] == result["groups"]["photo-illegible"]["n"] == 0

"""Whole sets: deterministic bytes, the requested condition mix, truth written as promised."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from idcard_ocr.synth.dataset import generate_set, non_card_case, read_truth
from tests.fonts import needs_fonts


@needs_fonts
def test_same_seed_same_bytes_and_truth(tmp_path: Path) -> None:
    mix = {"clean": 1.0, "tilt": 1.0}
    first = generate_set(tmp_path / "a", 2, 1, mix, seed=3, max_side=420)
    second = generate_set(tmp_path / "b", 2, 1, mix, seed=3, max_side=420)
    assert first == second == read_truth(tmp_path / "a")
    for record in first:
        assert (tmp_path / "a" / record["file"]).read_bytes() == (
            tmp_path / "b" / record["file"]
        ).read_bytes()
    assert Counter(r["condition"] for r in first if r["side"] == "front") == {"clean": 1, "tilt": 1}
    assert [r["side"] for r in first] == ["front", "front", "back"]
    assert sorted(r["rotate"] for r in first if r["side"] == "front") == [0, 90]


@needs_fonts
def test_non_card_photos_are_marked(tmp_path: Path) -> None:
    text = non_card_case(tmp_path, "not_card", "s", max_side=400)
    blank = non_card_case(tmp_path, "no_text", "s", max_side=400)
    assert (text["file"], text["kind"], text["info"]) == ("notcard_text.jpg", "not_card", {})
    assert (blank["file"], blank["kind"], blank["quad"]) == ("notext.jpg", "no_text", None)
    assert (tmp_path / "notext.jpg").stat().st_size > 1000


@needs_fonts
def test_command_line_writes_a_set(tmp_path: Path) -> None:
    from idcard_ocr.synth.__main__ import main

    args = ["--out", str(tmp_path), "--front", "1", "--back", "1", "--seed", "4", "--max-side", "400"]
    assert main(args) == 0
    records = read_truth(tmp_path)
    assert [r["file"] for r in records] == ["front_0001.jpg", "back_0001.jpg"]
    assert all((tmp_path / r["file"]).stat().st_size > 1000 for r in records)


@needs_fonts
def test_command_line_draws_the_named_families_in_turn(tmp_path: Path) -> None:
    from idcard_ocr.synth.__main__ import main

    args = ["--out", str(tmp_path), "--front", "2", "--back", "1", "--max-side", "400"]
    assert main([*args, "--families", "heldout,warm"]) == 0
    records = read_truth(tmp_path)
    assert [r["family"] for r in records] == ["heldout", "warm", "heldout"]
    with pytest.raises(SystemExit):
        main([*args, "--families", "nope"])

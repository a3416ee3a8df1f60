"""Address validity is the rule the README states: read surely, beginning with a province,
prefecture and county-level division of the bundled division table, and not stopping short.

Cards are drawn with addresses chosen here and read by the real recogniser, so each address is
read exactly and only the rule decides its validity.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from idcard_ocr.pipeline import load_recognizer
from idcard_ocr.synth.addresses import wrap_address
from idcard_ocr.synth.card import draw_card
from idcard_ocr.synth.identities import make_identity
from idcard_ocr.synth.photo import make_photo
from tests.fonts import needs_fonts

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def card_photo(address: str) -> bytes:
    """A clean photo of a front whose address is ``address`` (everything else generated)."""
    rng = random.Random(address)
    person = make_identity(rng)
    person = replace(person, address=address, address_lines=tuple(wrap_address(address)))
    return make_photo(draw_card(person, "front", rng), rng, "clean", 0).jpeg


@needs_fonts
@pytest.mark.models
@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("江西省赣州市龙南县龙南镇建设路6号", True),  # province, prefecture and county in the table
        ("江西省南昌市红谷滩区丰和中大道1099号", False),  # a district formed after the table
        ("江西省赣州市龙南市龙南镇建设路6号", False),  # 龙南县 renamed after the table
        ("江西省赣州市龙南县龙南镇建设路6", False),  # ends in a digit: its unit was lost
    ],
)
def test_a_correctly_read_address_is_valid_exactly_when_the_rule_says(address: str, valid: bool) -> None:
    result = load_recognizer(threads=1).recognize(card_photo(address))
    assert result.info["address"] == address
    assert result.validity["address"] is valid


def test_the_readme_states_the_rule_the_recogniser_applies() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| Address validity |"))
    for words in (
        "read surely",
        "province, prefecture and county-level division",
        "division table",
        "南昌市红谷滩区",
        "no digit or Latin letter at its end",
    ):
        assert words in row, words
    assert "begins with a real province-level name." not in row  # the old, partial rule

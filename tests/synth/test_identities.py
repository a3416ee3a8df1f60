"""Generated identities must pass every domain check the recogniser and the API apply."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from idcard_ocr.domain.authority import is_valid_authority
from idcard_ocr.domain.dates import split_birth
from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.nations import NATIONS, is_nation
from idcard_ocr.domain.regions import address_province_matches, region_parts
from idcard_ocr.domain.terms import is_valid_timelimit, parse_timelimit, term_years_for_age
from idcard_ocr.synth.addresses import LINE_WIDTH_UNITS, text_units, wrap_address
from idcard_ocr.synth.identities import SYNTH_TODAY, Identity, make_identities, make_identity


@pytest.fixture(scope="module")
def identities() -> list[Identity]:
    return make_identities(600, seed=7, every_nation=True)


def _age_on(birth, day) -> int:  # type: ignore[no-untyped-def]
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_every_identity_passes_the_domain_checks(identities: list[Identity]) -> None:
    for person in identities:
        facts = parse_number(person.number)
        assert facts is not None, person.number
        assert (facts.birth, facts.sex) == (person.birth, person.sex)
        assert address_province_matches(person.address, person.number[:6]), person.address
        assert is_valid_timelimit(person.timelimit), person.timelimit
        assert is_valid_authority(person.authority), person.authority
        assert is_nation(person.nation)
        assert len(person.name.replace("·", "")) >= 2 and "  " not in person.name


def test_address_begins_with_the_numbers_province_city_and_county(identities: list[Identity]) -> None:
    for person in identities:
        parts = region_parts(person.number[:6])
        assert parts is not None
        assert person.address.startswith(parts[0])
        assert all(part in person.address for part in parts)


def test_term_length_follows_the_age_at_issue(identities: list[Identity]) -> None:
    for person in identities:
        term = parse_timelimit(person.timelimit)
        assert term is not None and term.start <= SYNTH_TODAY
        years = term_years_for_age(_age_on(person.birth, person.issue))
        assert (term.end is None) == (years is None)
        if years is not None:
            assert term.end == term.start.replace(year=term.start.year + years)


def test_front_info_is_what_the_api_returns(identities: list[Identity]) -> None:
    person = identities[0]
    info = person.front_info()
    assert list(info) == ["name", "number", "sex", "nation", "year", "month", "day", "address"]
    assert (info["year"], info["month"], info["day"]) == split_birth(person.birth)
    assert info["address"] == "".join(person.address_lines)
    assert list(person.back_info()) == ["authority", "timelimit"]


def test_every_nation_appears_and_han_dominates(identities: list[Identity]) -> None:
    counts = Counter(p.nation for p in identities)
    assert set(counts) == set(NATIONS)
    assert counts["汉"] > len(identities) // 2


def test_about_one_number_in_eleven_ends_in_x(identities: list[Identity]) -> None:
    share = sum(p.number.endswith("X") for p in identities) / len(identities)
    assert 0.05 < share < 0.15


def test_address_lines_fit_the_printed_width(identities: list[Identity]) -> None:
    for person in identities:
        assert 1 <= len(person.address_lines) <= 3
        assert all(text_units(line) <= LINE_WIDTH_UNITS for line in person.address_lines)
    assert wrap_address("浙江省杭州市西湖区文二路108号") == ["浙江省杭州市西湖区文二", "路108号"]


@pytest.mark.parametrize(
    ("overrides", "holds"),
    [
        ({"name_kind": "dot"}, lambda p: "·" in p.name),
        ({"name_kind": "rare"}, lambda p: any(c in "㛃旻赟燊龑喆堃淼鑫犇焱垚昇珺玥䶮頔昶翀" for c in p.name)),
        ({"x_check": True}, lambda p: p.number.endswith("X")),
        ({"x_check": False}, lambda p: not p.number.endswith("X")),
        ({"address_lines": 1}, lambda p: len(p.address_lines) == 1),
        ({"address_lines": 3}, lambda p: len(p.address_lines) == 3),
        ({"long_term": True}, lambda p: p.timelimit.endswith("-长期")),
        ({"long_term": False}, lambda p: not p.timelimit.endswith("-长期")),
    ],
)
def test_a_forced_property_is_met(overrides: dict, holds) -> None:  # type: ignore[no-untyped-def, type-arg]
    rng = random.Random(3)
    for _ in range(20):
        person = make_identity(rng, **overrides)
        assert holds(person), person
        assert parse_number(person.number) is not None


def test_same_seed_gives_the_same_people() -> None:
    assert make_identities(30, seed=5) == make_identities(30, seed=5)
    assert make_identities(30, seed=5) != make_identities(30, seed=6)

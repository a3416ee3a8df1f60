"""The citizen number: check character, construction and parsing."""

from datetime import date

import pytest

from idcard_ocr.domain.id_number import NumberFacts, check_char, is_valid_number, make_number, parse_number

TODAY = date(2026, 1, 1)


def test_check_char_of_published_vector_is_upper_case_x():
    # GB 11643-1999 worked example. The other vectors below were worked out by hand.
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("34052419800101001", "X"),
        ("44030819900307003", "X"),
        ("44030819900307001", "3"),
        ("33010619891201401", "5"),
        ("00000000000000000", "1"),
    ],
)
def test_check_char_known_values(first17, expected):
    assert check_char(first17) == expected


def test_check_char_covers_all_eleven_remainders():
    seen = {check_char(f"1101051990010100{d}"[:17]) for d in range(10)}
    seen |= {check_char(f"110105199001{n:05d}") for n in range(200)}
    assert seen == set("0123456789X")


@pytest.mark.parametrize(
    "bad",
    ["", "1101051949123100", "110105194912310021", "1101051949123100a", "１１０１０５１９４９１２３１００２"],
)
def test_check_char_refuses_anything_but_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_char(bad)


def test_contract_sample_number_fails_its_check_character():
    # The vendor documentation's sample ends in 0; the correct check character is 5.
    assert not is_valid_number("330106198912014010")
    assert parse_number("330106198912014015", today=TODAY) == NumberFacts("330106", date(1989, 12, 1), "男")


def test_published_vector_parses_to_female_born_1949():
    facts = parse_number("11010519491231002X", today=TODAY)
    assert facts == NumberFacts(region6="110105", birth=date(1949, 12, 31), sex="女")


def test_lower_case_x_is_refused():
    assert parse_number("11010519491231002x") is None


@pytest.mark.parametrize(
    "seq3, sex", [(1, "男"), (401, "男"), (999, "男"), (0, "女"), (2, "女"), (998, "女")]
)
def test_make_number_round_trips_and_sequence_parity_gives_sex(seq3, sex):
    number = make_number("330106", date(2000, 2, 29), seq3)
    assert len(number) == 18
    assert number[14:17] == f"{seq3:03d}"
    facts = parse_number(number, today=TODAY)
    assert facts == NumberFacts("330106", date(2000, 2, 29), sex)


@pytest.mark.parametrize(
    ("region", "seq"), [("33010", 1), ("3301067", 1), ("33O106", 1), ("330106", -1), ("330106", 1000)]
)
def test_make_number_refuses_bad_parts(region, seq):
    with pytest.raises(ValueError):
        make_number(region, date(1990, 1, 1), seq)


def _with_check(first17: str) -> str:
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    "birth8",
    ["19900230", "19000229", "19891301", "19890001", "19890100", "20230229"],
)
def test_impossible_birth_dates_are_refused_even_with_right_check_char(birth8):
    assert parse_number(_with_check(f"330106{birth8}401"), today=TODAY) is None


def test_leap_day_birth_is_accepted():
    assert parse_number(_with_check("33010620000229401"), today=TODAY) is not None
    assert parse_number(_with_check("33010619960229401"), today=TODAY) is not None


def test_birth_after_today_or_before_1900_is_refused():
    assert parse_number(_with_check("33010620260102401"), today=TODAY) is None
    assert parse_number(_with_check("33010620260101401"), today=TODAY) is not None
    assert parse_number(_with_check("33010618991231401"), today=TODAY) is None
    assert parse_number(_with_check("33010619000101401"), today=TODAY) is not None


def test_future_birth_refused_against_the_real_clock():
    assert not is_valid_number(make_number("330106", date(date.today().year + 1, 1, 1), 401))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "33010619891201401",
        "3301061989120140155",
        "33010619891201401Y",
        " 330106198912014015",
        "33010619891201A015",
    ],
)
def test_malformed_numbers_are_refused(bad):
    assert parse_number(bad) is None
    assert not is_valid_number(bad)


def test_one_wrong_digit_is_always_caught():
    good = "330106198912014015"
    for i in range(17):
        for d in "0123456789":
            if d != good[i]:
                assert not is_valid_number(good[:i] + d + good[i + 1 :])

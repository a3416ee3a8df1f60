"""Birth-date splitting, compact dates and validity terms."""

from datetime import date

import pytest

from idcard_ocr.domain.dates import parse_compact, split_birth
from idcard_ocr.domain.terms import (
    Term,
    expected_end,
    format_timelimit,
    is_valid_timelimit,
    parse_timelimit,
    term_years_for_age,
)

TODAY = date(2026, 1, 1)


def test_split_birth_has_no_leading_zeros():
    assert split_birth(date(1989, 12, 1)) == ("1989", "12", "1")
    assert split_birth(date(2001, 2, 9)) == ("2001", "2", "9")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19891201", date(1989, 12, 1)),
        ("20000229", date(2000, 2, 29)),
        ("19900230", None),
        ("19000229", None),
        ("1989121", None),
        ("198912011", None),
        ("1989-12-", None),
        ("１９８９１２０１", None),
        ("19891300", None),
    ],
)
def test_parse_compact(text, expected):
    assert parse_compact(text) == expected


@pytest.mark.parametrize(
    ("age", "years"),
    [(0, 5), (15, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None), (90, None)],
)
def test_term_length_follows_age_at_issue(age, years):
    assert term_years_for_age(age) == years


def test_negative_age_is_an_error():
    with pytest.raises(ValueError):
        term_years_for_age(-1)


def test_format_timelimit_both_forms():
    assert format_timelimit(date(2019, 8, 6), date(2039, 8, 6)) == "20190806-20390806"
    assert format_timelimit(date(2019, 8, 6), None) == "20190806-长期"


def test_parse_timelimit_round_trips_and_refuses_malformed():
    assert parse_timelimit("20190806-20390806") == Term(date(2019, 8, 6), date(2039, 8, 6))
    assert parse_timelimit("20190806-长期") == Term(date(2019, 8, 6), None)
    for bad in [
        "",
        "20190806",
        "20190806—20390806",
        "20190806-2039080",
        "20190806 - 20390806",
        "20390806-20190806",
        "20190806-20190806",
        "20190230-20390230",
        "20190806-长",
        "20190806-",
    ]:
        assert parse_timelimit(bad) is None, bad


@pytest.mark.parametrize(
    "term",
    [
        "20190806-20390806",
        "20190806-20290806",
        "20190806-20240806",
        "20190806-长期",
        "20050101-20150101",
        "20251231-20301231",
        "20260101-长期",
    ],
)
def test_valid_terms(term):
    assert is_valid_timelimit(term, today=TODAY)


@pytest.mark.parametrize(
    "term",
    [
        "20190806-20390805",
        "20190806-20340806",
        "20190806-20490806",
        "20260102-20360102",
        "19830101-19930101",
        "20190806-20390807",
        "2019086-20390806",
        "20190806",
    ],
)
def test_invalid_terms(term):
    assert not is_valid_timelimit(term, today=TODAY)


def test_expired_term_is_still_valid():
    assert is_valid_timelimit("20050101-20150101", today=TODAY)


def test_leap_day_start_ends_on_28_february_or_1_march():
    assert expected_end(date(2004, 2, 29), 10) == date(2014, 2, 28)
    assert expected_end(date(2004, 2, 29), 20) == date(2024, 2, 29)
    assert is_valid_timelimit("20040229-20140228", today=TODAY)
    assert is_valid_timelimit("20040229-20140301", today=TODAY)
    assert is_valid_timelimit("20040229-20240229", today=TODAY)
    assert not is_valid_timelimit("20040229-20140227", today=TODAY)


def test_future_start_refused_against_the_real_clock():
    start = date(date.today().year + 1, 6, 1)
    assert not is_valid_timelimit(format_timelimit(start, expected_end(start, 10)))

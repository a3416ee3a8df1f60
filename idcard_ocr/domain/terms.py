"""Validity terms (有效期限) printed on the back of the card.

The Resident Identity Card Law (art. 5) sets the term by age at issue: under 16 five years,
16-25 ten years, 26-45 twenty years, 46 and over long-term (``长期``). The API writes a term as
``YYYYMMDD-YYYYMMDD`` or ``YYYYMMDD-长期``.

29 February: a card issued on 29 February expires on 28 February when the end year is not a
leap year; that is what :func:`expected_end` produces. :func:`is_valid_timelimit` also accepts
1 March in that case, since cards printed that way exist and refusing them would mark a correct
reading invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from idcard_ocr.domain.dates import add_years, format_compact, parse_compact

LONG_TERM = "长期"
TERM_YEARS: tuple[int, ...] = (5, 10, 20)
# Resident identity cards have been issued since 1984; an earlier start is a misreading.
_EARLIEST_START = date(1984, 1, 1)


@dataclass(frozen=True)
class Term:
    """A parsed validity term; ``end`` None means long-term (长期)."""

    start: date
    end: date | None


def term_years_for_age(age_at_issue: int) -> int | None:
    """Years of validity for a holder of this age at issue; None means long-term (长期)."""
    if age_at_issue < 0:
        raise ValueError("age_at_issue must not be negative")
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def expected_end(start: date, years: int) -> date:
    """End date of a ``years``-long term starting ``start`` (29 February -> 28 February)."""
    return add_years(start, years)


def format_timelimit(start: date, end: date | None) -> str:
    """``20190806-20390806``, or ``20190806-长期`` when ``end`` is None."""
    return f"{format_compact(start)}-{LONG_TERM if end is None else format_compact(end)}"


def parse_timelimit(s: str) -> Term | None:
    """Parse the API form of a term; None unless both parts are real dates (or ``长期``) and end > start.

    Only the exact API form is accepted: no spaces, an ASCII hyphen, eight-digit dates.
    """
    head, sep, tail = s.partition("-")
    if not sep:
        return None
    start = parse_compact(head)
    if start is None:
        return None
    if tail == LONG_TERM:
        return Term(start, None)
    end = parse_compact(tail)
    if end is None or end <= start:
        return None
    return Term(start, end)


def _end_matches(start: date, end: date) -> bool:
    for years in TERM_YEARS:
        if end == expected_end(start, years):
            return True
        # Leniency for 29 February starts whose end year is common: 1 March is also printed.
        if (start.month, start.day) == (2, 29) and end == date(start.year + years, 3, 1):
            return True
    return False


def is_valid_timelimit(s: str, today: date | None = None) -> bool:
    """True for a well-formed term whose start is a real date from 1984 up to ``today``.

    The end must be exactly 5, 10 or 20 years after the start (same month and day, see the
    module note on 29 February) or ``长期``. An expired card still has a valid term: expiry is
    the caller's business, not a sign of a misreading. The holder's age is not on the back of
    the card, so any of the three lengths is accepted.
    """
    term = parse_timelimit(s)
    if term is None:
        return False
    if not _EARLIEST_START <= term.start <= (today or date.today()):
        return False
    return term.end is None or _end_matches(term.start, term.end)

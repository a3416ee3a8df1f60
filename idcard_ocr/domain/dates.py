"""Dates as the card and the API write them."""

from __future__ import annotations

from datetime import date


def split_birth(d: date) -> tuple[str, str, str]:
    """Year, month and day as the API returns them: decimal strings without leading zeros.

    >>> split_birth(date(1989, 12, 1))
    ('1989', '12', '1')
    """
    return str(d.year), str(d.month), str(d.day)


def parse_compact(s: str) -> date | None:
    """Parse ``YYYYMMDD`` (exactly eight ASCII digits) into a date; None if it is not a real date."""
    if len(s) != 8 or not s.isascii() or not s.isdigit():
        return None
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return None


def format_compact(d: date) -> str:
    """Write a date as ``YYYYMMDD``, the form used inside ID numbers and validity terms."""
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def add_years(d: date, years: int) -> date:
    """The same month and day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)

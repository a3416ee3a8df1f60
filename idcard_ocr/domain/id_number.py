"""The 18-character citizen identity number (GB 11643-1999).

Layout: six digits of region (where the number was first issued), eight digits of birth date
``YYYYMMDD``, three digits of sequence (odd last digit = male, even = female) and one check
character computed with ISO 7064 MOD 11-2 over the first seventeen.

The region part is deliberately not checked here: codes are never reissued, so people carry
codes of divisions that have since been merged or renamed. See :mod:`idcard_ocr.domain.regions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from idcard_ocr.domain.dates import format_compact, parse_compact

# Weight of position i is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Check character for each remainder 0..10 of the weighted sum.
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)

Sex = Literal["男", "女"]


@dataclass(frozen=True)
class NumberFacts:
    """What a valid number says about its holder."""

    region6: str
    birth: date
    sex: Sex


def _is_ascii_digits(s: str) -> bool:
    # str.isdigit() also accepts full-width and other Unicode digits; a number is ASCII only.
    return s.isascii() and s.isdigit()


def check_char(first17: str) -> str:
    """The GB 11643 check character (``0``-``9`` or upper-case ``X``) for 17 leading digits.

    Raises ``ValueError`` unless ``first17`` is exactly seventeen ASCII digits.
    """
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError("check_char needs exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def make_number(region6: str, birth: date, seq3: int) -> str:
    """Build a full 18-character number; ``seq3`` is 0..999 and its odd last digit means male."""
    if len(region6) != 6 or not _is_ascii_digits(region6):
        raise ValueError("region6 must be six ASCII digits")
    if not 0 <= seq3 <= 999:
        raise ValueError("seq3 must be in 0..999")
    first17 = f"{region6}{format_compact(birth)}{seq3:03d}"
    return first17 + check_char(first17)


def parse_number(number: str, today: date | None = None) -> NumberFacts | None:
    """Facts from a well-formed number, or None.

    None unless the number is 18 characters, 17 ASCII digits then a digit or upper-case ``X``,
    the check character matches, and the birth date is a real date between 1900-01-01 and
    ``today`` (default: the current date) inclusive. A lower-case ``x`` is refused: the API
    always writes ``X``, so callers normalise before asking.
    """
    if len(number) != 18 or not _is_ascii_digits(number[:17]):
        return None
    last = number[17]
    if not (last == "X" or (last.isascii() and last.isdigit())):
        return None
    if check_char(number[:17]) != last:
        return None
    birth = parse_compact(number[6:14])
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today or date.today()):
        return None
    sex: Sex = "男" if int(number[16]) % 2 == 1 else "女"
    return NumberFacts(region6=number[:6], birth=birth, sex=sex)


def is_valid_number(number: str) -> bool:
    """True when :func:`parse_number` accepts the number."""
    return parse_number(number) is not None

"""Does the ID number agree with the rest of the front? A small code, after Baidu's
``idcard_number_type``, that a counter clerk can act on.

    -1  not a front side, or no number was read
     0  the number is malformed: wrong check character, impossible birth date or wrong length
     1  valid, and agrees with the printed birth date, sex and the address's province
     2  valid, but the printed birth date disagrees
     3  valid, but the printed sex disagrees
     4  valid, but the address is in another province than the number's region
     5  valid, but more than one of 2, 3, 4

A field that was not read (empty) is not a disagreement. The province check is information, not
an error: the number keeps the region where it was first issued and the address follows the
holder when they move, so 4 is common on genuine cards.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import IntEnum

from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.regions import address_province_matches
from idcard_ocr.pipeline.types import Side


class NumberCheck(IntEnum):
    """The ``numberCheck`` codes (see the module docstring)."""

    NO_NUMBER = -1
    MALFORMED = 0
    AGREES = 1
    BIRTH_DISAGREES = 2
    SEX_DISAGREES = 3
    PROVINCE_DISAGREES = 4
    SEVERAL_DISAGREE = 5


def _printed_birth(info: Mapping[str, str]) -> date | None:
    try:
        return date(int(info.get("year", "")), int(info.get("month", "")), int(info.get("day", "")))
    except ValueError:
        return None


def number_check(side: Side, info: Mapping[str, str], today: date | None = None) -> NumberCheck:
    """The code for ``info`` (the API's ``info`` of one recognition) read on ``side``."""
    number = info.get("number", "")
    if side != "front" or not number:
        return NumberCheck.NO_NUMBER
    facts = parse_number(number, today)
    if facts is None:
        return NumberCheck.MALFORMED
    disagreements: list[NumberCheck] = []
    birth = _printed_birth(info)
    if birth is not None and birth != facts.birth:
        disagreements.append(NumberCheck.BIRTH_DISAGREES)
    sex = info.get("sex", "")
    if sex and sex != facts.sex:
        disagreements.append(NumberCheck.SEX_DISAGREES)
    address = info.get("address", "")
    if address and not address_province_matches(address, facts.region6):
        disagreements.append(NumberCheck.PROVINCE_DISAGREES)
    if not disagreements:
        return NumberCheck.AGREES
    return disagreements[0] if len(disagreements) == 1 else NumberCheck.SEVERAL_DISAGREE

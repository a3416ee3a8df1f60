"""From a card's read lines to the API's fields: parse, correct with domain knowledge, and decide
what ``validity`` may vouch for.

Domain rules (check characters, dates, the 56 nations, real places) choose among the recogniser's
candidates; then free text, which has no check of its own, is vouched for only when it was read
surely and whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

import numpy as np

from idcard_ocr.domain.dates import split_birth
from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.pipeline.layout import ADDRESS_LINE_PITCH, ADDRESS_LINES
from idcard_ocr.pipeline.parse import LONG_TERM, clean_name, normalize_timelimit
from idcard_ocr.pipeline.places import (
    PlaceText,
    check_address_rows,
    check_authority,
    without_stamp_tail,
    without_trailing_marks,
)
from idcard_ocr.pipeline.quad import overlaps
from idcard_ocr.pipeline.read import Box, CardReading, ReadLine
from idcard_ocr.pipeline.types import Point, Side
from idcard_ocr.pipeline.validate import (
    back_validity,
    choose_birth,
    choose_nation,
    choose_sex,
    correct_number,
    correct_timelimit,
    front_validity,
    number_facts,
    simplify,
)

FREE_TEXT_FIELDS = ("name", "address", "authority")
# Free text has no check character, so it is vouched for only when the recogniser was sure of
# it as a whole and of its weakest character: one character read at 0.6 is as often a wrong
# look-alike (华莹 for 华蓥, 宜威 for 宣威) as the right one. Names are held hardest (a wrong
# name is the worst KYC error) but a rare character (龑 at 0.84 beside 龔) must still pass;
# authorities use common characters the recogniser is sure of when they are legible. Correct
# names and addresses read at >= 0.8 as a whole on the synthetic photo sets.
MIN_LINE_CONFIDENCE = {"name": 0.9, "address": 0.75, "authority": 0.75}
MIN_CHAR_CONFIDENCE = {"name": 0.8, "address": 0.62, "authority": 0.55}
MIN_LONG_TERM_CHAR = 0.8
# Any term: two consistent dates can still be a misread pair (a blurred 3 read as 1 in both
# 0326s, 2036 read as 2031: a 10-year term read as 5). A digit read this unsurely is no basis
# for vouching; on 570 terms read right it cost 2 their validity and caught 2 of 5 such errors.
MIN_TERM_CHAR = 0.4
# Boxes of two fields that overlap by more than this share of the smaller one hold the same print.
SHARED_PRINT = 0.3
# Address lines follow one another at the line pitch; tops further apart than this many pitches
# have a line between them that was not read.
MAX_LINE_STEP = 1.5
# An address's lines are printed alike and read alike. A last line read under this confidence
# after lines read at least at ``SURE_LINE`` is other print in the band (a stamp's or a
# watermark's words, read as gibberish), not the address's.
STRAY_LINE = 0.35
SURE_LINE = 0.9


@dataclass(frozen=True)
class FieldSource:
    """A field's final text with the confidence and canonical-card box of what it was read from."""

    text: str
    confidence: float
    box: tuple[Point, Point, Point, Point] | None
    weakest_char: float = 0.0  # the lowest probability of any character it was read from
    place_known: bool = True  # False: the place it names (address, authority) is not a real one
    cut: bool = False  # a line's start or end may have been cut off (its ink ran off the band)
    derived: bool = False  # not read from its print: the value the valid number encodes


def _corners(boxes: list[Box]) -> tuple[Point, Point, Point, Point] | None:
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _source(text: str, lines: list[ReadLine], place: PlaceText | None = None) -> FieldSource:
    confidence = min((line.reading.confidence for line in lines), default=0.0) if text else 0.0
    if place is not None:
        chars: Sequence[float] = place.confidences
    else:
        chars = [p for line in lines for p in line.reading.char_confidences]
    weakest = min(chars, default=0.0) if text else 0.0
    known = place.known if place is not None else True
    # The first line's ink ran into the band's left edge, but when the label's end was read
    # before it the value's start was on the crop: the label is printed just before it.
    after_label = place is not None and place.after_label
    first_cut = bool(lines) and lines[0].cut_left and not after_label
    cut_start = first_cut or any(line.cut_left for line in lines[1:])
    cut = cut_start or any(line.cut_right for line in lines)
    return FieldSource(text, confidence, _corners([line.box for line in lines]), weakest, known, cut)


def skips_a_line(lines: Sequence[ReadLine]) -> bool:
    """True when two consecutive lines of a value lie more than a line apart: the line printed
    between them (too faint, washed out) was not read, and the value joined without it still
    looks whole (it begins with a real place and ends in a room number)."""
    return any(b.box[1] - a.box[1] > MAX_LINE_STEP * ADDRESS_LINE_PITCH for a, b in pairwise(lines))


def read_from_another_field(key: str, sources: dict[str, FieldSource]) -> bool:
    """True when ``key``'s value was read where another field's value was read: one line of
    print is not two fields, so a band placed on the wrong row (a card found cut short) or a
    label matched to the wrong line gave it another field's text."""
    box = sources[key].box
    if box is None or not sources[key].text:
        return False
    others = [
        np.asarray(source.box, np.float64)
        for other, source in sources.items()
        if other != key and source.box is not None and source.text
    ]
    return overlaps(np.asarray(box, np.float64), others, SHARED_PRINT)


def _real_date(birth: tuple[str, str, str] | None) -> bool:
    try:
        return birth is not None and bool(date(int(birth[0]), int(birth[1]), int(birth[2])))
    except ValueError:
        return False


def _from_number(text: str, number: FieldSource) -> FieldSource:
    # Nothing of it was found on the print: no box; as sure as the number it came from.
    return FieldSource(text, number.confidence, None, number.weakest_char, derived=True)


def front_fields(reading: CardReading, today: date) -> tuple[dict[str, str], dict[str, FieldSource]]:
    """The front ``info`` (contract key order) and where each value came from."""
    number_line = reading.first("number")
    number = correct_number(number_line.reading, today) if number_line else ""
    facts = parse_number(number, today)
    name_line, sex_line = reading.first("name"), reading.first("sex")
    nation_line, birth_line = reading.first("nation"), reading.first("birth")
    name = clean_name(simplify(name_line.reading)) if name_line else ""
    sex = choose_sex(sex_line.reading if sex_line else None, facts)
    nation = choose_nation(nation_line.reading if nation_line else None)
    birth = choose_birth(birth_line.reading if birth_line else None, facts)
    # A valid number writes sex and birth date: what its print does not tell, the number does.
    sure = number_facts(number, today)
    sex_derived = not sex and sure is not None
    birth_derived = not _real_date(birth) and sure is not None
    if sure is not None:
        sex = sex or sure.sex
        birth = split_birth(sure.birth) if birth_derived else birth
    birth = birth or ("", "", "")
    read_lines = reading.lines.get("address", [])
    address_lines, stamped = _without_stamp_tails(read_lines)
    if address_lines:  # a speck read as a mark after the address is not part of it
        last = without_trailing_marks(address_lines[-1].reading)
        if last.text:
            address_lines[-1] = replace(address_lines[-1], reading=last)
        else:
            address_lines.pop()
    stray = _stray_last_line(address_lines)
    if stray:  # where the address ended under that print is not known: as if cut
        address_lines.pop()
    # A row above the line the address begins on (a stamp's words) is not the address's. It
    # took one of the band's lines: with all of them taken, the address's last may be lost.
    before, address_place = check_address_rows([line.reading for line in address_lines])
    lost_last = before > 0 and len(read_lines) >= ADDRESS_LINES
    address_lines = address_lines[before:]
    address = address_place.text
    info = {"name": name, "number": number, "sex": sex, "nation": nation,
            "year": birth[0], "month": birth[1], "day": birth[2], "address": address}
    line_of = {"name": name_line, "number": number_line, "sex": sex_line, "nation": nation_line}
    sources = {k: _source(info[k], [line] if line else []) for k, line in line_of.items()}
    birth_lines = [birth_line] if birth_line else []
    sources.update({k: _source(info[k], birth_lines) for k in ("year", "month", "day")})
    for key in ("sex",) * sex_derived + ("year", "month", "day") * birth_derived:
        sources[key] = _from_number(info[key], sources["number"])
    sources["address"] = _source(address, address_lines, address_place)
    if skips_a_line(address_lines) or stamped or stray or lost_last:  # a line lost: as a cut-off end
        sources["address"] = replace(sources["address"], cut=True)
    return info, sources


def _stray_last_line(lines: list[ReadLine]) -> bool:
    """Whether the last of an address's ``lines`` was read far less surely than every line before
    it (``STRAY_LINE`` against ``SURE_LINE``): the same print reads alike, so it is other print."""
    if len(lines) < 2:
        return False
    return lines[-1].reading.confidence < STRAY_LINE and \
        min(line.reading.confidence for line in lines[:-1]) >= SURE_LINE


def _without_stamp_tails(lines: list[ReadLine]) -> tuple[list[ReadLine], bool]:
    """``lines`` with a stamp's words cut from each one's end, and whether any were.

    A stamp across the card reads on after a line's value: its words are no part of it. Where
    the value ended under them is not known, so such a value is not vouched for (as if cut).
    """
    cut = [replace(line, reading=without_stamp_tail(line.reading)) for line in lines]
    return cut, any(a.reading.text != b.reading.text for a, b in zip(cut, lines, strict=True))


def back_fields(reading: CardReading) -> tuple[dict[str, str], dict[str, FieldSource]]:
    """The back ``info`` (contract key order) and where each value came from."""
    authority_lines, stamped = _without_stamp_tails(reading.lines.get("authority", [])[:1])
    authority_line = authority_lines[0] if authority_lines else None
    term_line = reading.first("timelimit")
    authority_place = check_authority(authority_line.reading) if authority_line else None
    authority = authority_place.text if authority_place else ""
    term = ""
    if term_line is not None:
        term = correct_timelimit(term_line.reading, normalize_timelimit(term_line.reading.text))
    info = {"authority": authority, "timelimit": term}
    authority_source = _source(authority, [authority_line] if authority_line else [], authority_place)
    sources = {
        "authority": replace(authority_source, cut=authority_source.cut or stamped),
        "timelimit": _source(term, [term_line] if term_line else []),
    }
    return info, sources


def fields_of(
    reading: CardReading, side: Side, today: date
) -> tuple[dict[str, str], dict[str, bool], dict[str, FieldSource]]:
    """``info``, ``validity`` and sources of one card reading as of ``today``: the domain rules,
    then how sure the recogniser was of free text (no check character there to catch a misread)."""
    if side == "front":
        info, sources = front_fields(reading, today)
        validity = front_validity(info, today)
    else:
        info, sources = back_fields(reading)
        validity = back_validity(info, today)
    # Free text has no check character: a shape-valid name read with low confidence is more
    # often a guess at an unreadable crop than the right answer.
    for key in FREE_TEXT_FIELDS:
        if key not in validity:
            continue
        source = sources[key]
        if source.confidence < MIN_LINE_CONFIDENCE[key] or source.weakest_char < MIN_CHAR_CONFIDENCE[key]:
            validity[key] = False
        if not source.place_known:  # not a real place: a misread, or a place the table lacks
            validity[key] = False
        if source.cut:  # free text has no check that would notice a lost first or last character
            validity[key] = False
        if read_from_another_field(key, sources):  # free text has no check to notice that either
            validity[key] = False
    # A term's digits must be read surely enough; a long-term card's start date has no end date
    # to agree with, so only its own reading vouches and the bar is higher.
    term = sources.get("timelimit")
    if term is not None:
        least = MIN_LONG_TERM_CHAR if term.text.endswith(LONG_TERM) else MIN_TERM_CHAR
        if term.weakest_char < least:
            validity["timelimit"] = False
    return info, validity, sources

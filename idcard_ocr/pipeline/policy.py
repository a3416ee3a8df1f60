"""The reading policy: which second looks a card's first reading gets, and which answers are kept.

The first reading (``read.read_card``) reads each field once, where the layout puts it. A field
that comes back empty or failing its checks may be read again in another way (``looks.py``):
each ``SecondLook`` below says when it fires, what it reads and when its answer is kept, and
``read_again`` applies them in the order of ``POLICY``, one after another, on the reading as the
earlier looks left it. A new way to recover a field is a new entry in the table, not a new branch.

Nothing is changed in place: every look that is kept gives a new ``Judged`` reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from idcard_ocr.domain.id_number import parse_number
from idcard_ocr.domain.nations import is_nation
from idcard_ocr.pipeline.engine import TextRecognizer
from idcard_ocr.pipeline.fields import FREE_TEXT_FIELDS, FieldSource, fields_of
from idcard_ocr.pipeline.layout import (
    ADDRESS,
    AUTHORITY,
    BIRTH,
    NAME,
    NATION,
    NUMBER,
    SEX,
    SEX_CHARSET,
    TIMELIMIT,
    FieldRegion,
)
from idcard_ocr.pipeline.looks import (
    faint_tail,
    read_closed,
    reread_box,
    reread_line,
    reread_variant,
    reread_with_length,
    text_windows,
    variant_boxes,
)
from idcard_ocr.pipeline.parse import clean_nation, clean_number
from idcard_ocr.pipeline.read import FULL_LINE_ROOM, CardReading, ReadLine
from idcard_ocr.pipeline.types import Side
from idcard_ocr.pipeline.validate import simplify

NUMBER_LENGTH = 18
# A nation read again from a variant crop is taken only when the variant reads a whole nation
# name this surely: the nation has no validity flag to carry doubt to the client.
SURE_NATION_VARIANT = 0.7
SURE_TAIL_CHAR = 0.6  # each character a longer reading adds to an address must be this sure
SURE_SEX_VARIANT = 0.9  # a 男-or-女 reading of the sex crop must be at least this sure


@dataclass(frozen=True)
class Judged:
    """A card reading and what the domain rules make of it: ``info``, ``validity``, sources."""

    reading: CardReading
    info: dict[str, str]
    validity: dict[str, bool]
    sources: dict[str, FieldSource]


def judge(reading: CardReading, today: date) -> Judged:
    """``reading`` parsed, corrected and checked as of ``today``."""
    return Judged(reading, *fields_of(reading, reading.side, today))


def _nothing_by_labels() -> dict[str, list[ReadLine]]:
    return {}


@dataclass(frozen=True)
class Looking:
    """What a second look reads with: the card the first reading's boxes refer to, the
    recogniser, the date the checks are made against, and the second reader: the card's lines
    found by their labels (``free_read.read_by_labels``), read on first use and then reused;
    likewise beyond the card's outline."""

    card: np.ndarray
    text: TextRecognizer
    today: date
    by_labels: Callable[[], dict[str, list[ReadLine]]] = _nothing_by_labels
    # The same, read from the photo a margin past the card's outline (``read_beyond_outline``).
    beyond_outline: Callable[[], dict[str, list[ReadLine]]] = _nothing_by_labels
    # The second reader's lines of one field (a lines key) from the card's rows between two
    # heights: those of the fields printed above and below it (``LabelReader.between``). None:
    # every field is taken from ``by_labels``.
    between: Callable[[str, float, float], list[ReadLine]] | None = None


@dataclass(frozen=True)
class SecondLook:
    """One entry of the policy.

    ``fires``: whether the reading so far calls for this look. ``reads``: the field's new lines,
    proposals tried one at a time (lazily: a later one is read only when the earlier was not
    kept). ``keeps``: whether the reading with a proposal (``after``) replaces the one before.
    ``doubts``: whether a kept proposal is kept unvouched (validity ``vouch_key`` withdrawn).
    """

    name: str
    side: Side
    field: str  # the key of the lines it replaces
    fires: Callable[[Looking, Judged], bool]
    reads: Callable[[Looking, Judged], Iterator[list[ReadLine]]]
    keeps: Callable[[Looking, Judged, Judged], bool]
    doubts: Callable[[Judged, Judged], bool] | None = None
    vouch_key: str = ""


def with_lines(reading: CardReading, key: str, lines: list[ReadLine]) -> CardReading:
    """A copy of ``reading`` with ``key``'s lines replaced (``reading`` itself is left as it is)."""
    return replace(reading, lines={**reading.lines, key: lines})


def read_again(first: CardReading, looking: Looking, policy: tuple[SecondLook, ...] | None = None) -> Judged:
    """``first`` judged, then given each second look of ``policy`` (default ``POLICY``) that
    fires, in order; returns the reading with every kept answer. ``first`` is not changed."""
    current = judge(first, looking.today)
    doubted: set[str] = set()  # validity a kept look withdrew: judging later looks keeps it so
    for look in POLICY if policy is None else policy:
        if look.side != first.side or not look.fires(looking, current):
            continue
        for lines in look.reads(looking, current):
            proposal = judge(with_lines(current.reading, look.field, lines), looking.today)
            proposal = _unvouched(proposal, doubted)
            if look.keeps(looking, current, proposal):
                if look.doubts is not None and look.doubts(current, proposal):
                    doubted.add(look.vouch_key)
                current = _unvouched(proposal, doubted)
                break
    return current


def _unvouched(judged: Judged, keys: set[str]) -> Judged:
    """``judged`` with the validity of ``keys`` withdrawn."""
    if not keys:
        return judged
    return replace(judged, validity={k: ok and k not in keys for k, ok in judged.validity.items()})


# --- when a look fires, what it reads, when its answer is kept -------------------------------


def _failed(key: str, region: FieldRegion) -> Callable[[Looking, Judged], bool]:
    def fires(_: Looking, now: Judged) -> bool:
        return not now.validity[key] and now.reading.first(region.key) is not None

    return fires


def _passes(key: str) -> Callable[[Looking, Judged, Judged], bool]:
    # Kept only when it passes: a reading that failed only for being unsure (its digits put
    # right from the candidates) must not give way to a worse one.
    def keeps(_: Looking, _before: Judged, after: Judged) -> bool:
        return after.validity[key]

    return keeps


def _wider(region: FieldRegion) -> Callable[[Looking, Judged], Iterator[list[ReadLine]]]:
    def reads(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
        line = now.reading.first(region.key)
        assert line is not None
        yield [reread_line(looking.card, line, region, looking.text)]

    return reads


def _wider_look(side: Side, key: str, region: FieldRegion) -> SecondLook:
    """Read a failing field once more, unsqueezed; kept when it then passes."""
    return SecondLook(f"{key} wider", side, region.key, _failed(key, region), _wider(region), _passes(key))


def _number_short(_: Looking, now: Judged) -> bool:
    line = now.reading.first(NUMBER.key)
    return not now.validity["number"] and line is not None \
        and len(clean_number(line.reading.text)) != NUMBER_LENGTH


def _number_to_length(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    # Digits short: read on to the band's end (nothing is printed after the number, and glare
    # may have left its last digits too faint to count as ink), then as exactly 18 digits.
    line = now.reading.first(NUMBER.key)
    assert line is not None
    yield [reread_line(looking.card, line, NUMBER, looking.text, to_band_end=True)]
    yield [reread_with_length(looking.card, line, NUMBER, looking.text, NUMBER_LENGTH)]


def _number_and_birth_pass(_: Looking, _before: Judged, after: Judged) -> bool:
    # The number passes its check character AND the birth date printed on its own line agrees
    # (not one taken from this very number because the print was unreadable).
    return after.validity["number"] and after.validity["birthday"] and not after.sources["year"].derived


def _nation_missing(_: Looking, now: Judged) -> bool:
    return not now.info["nation"] and now.reading.first(NATION.key) is not None


def _nation_variants(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    line = now.reading.first(NATION.key)
    assert line is not None
    for variant in range(len(variant_boxes(line))):
        yield [reread_variant(looking.card, line, NATION, looking.text, variant)]


def _nation_in_windows(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    line = now.reading.first(NATION.key)
    assert line is not None
    for box in text_windows(line, NATION):
        yield [reread_box(looking.card, line, NATION, looking.text, box)]


def _whole_nation_surely(_: Looking, _before: Judged, after: Judged) -> bool:
    line = after.reading.first(NATION.key)
    return line is not None and line.reading.confidence >= SURE_NATION_VARIANT \
        and is_nation(clean_nation(simplify(line.reading)))


def _address_fades(looking: Looking, now: Judged) -> bool:
    # Characters washed light grey by glare next to dark ones: the crop ended before them.
    lines = now.reading.lines.get(ADDRESS.key) or []
    return bool(lines) and faint_tail(looking.card, lines[-1], ADDRESS)


def _address_to_band_end(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    lines = now.reading.lines[ADDRESS.key]
    last = lines[-1]
    longer = reread_line(looking.card, last, ADDRESS, looking.text, ADDRESS.width_scale, to_band_end=True)
    yield [*lines[:-1], longer]


def _address_extended_surely(_: Looking, before: Judged, after: Judged) -> bool:
    last = before.reading.lines[ADDRESS.key][-1].reading
    longer = after.reading.lines[ADDRESS.key][-1].reading
    added = longer.char_confidences[len(last.text) :]
    return longer.text.startswith(last.text) and bool(added) and min(added) >= SURE_TAIL_CHAR


def _birth_unread_number_valid(_: Looking, now: Judged) -> bool:
    # The date given is the number's, for want of a reading of its print.
    return now.sources["year"].derived and now.reading.first(BIRTH.key) is not None


def _birth_to_band_end(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    # A stamp across the line or 年 and 月 faded with the labels (a grey copy) cut the first
    # crop short: read the line once more, unsqueezed, to the band's end.
    line = now.reading.first(BIRTH.key)
    assert line is not None
    yield [reread_line(looking.card, line, BIRTH, looking.text, to_band_end=True)]


def _birth_printed_agrees(_: Looking, _before: Judged, after: Judged) -> bool:
    # Kept only when the print now gives the date and agrees with the number: the value is the
    # same, but read, and the second reader need not be asked for it.
    return _passes_check("birthday", after)


def _sex_unread_number_valid(_: Looking, now: Judged) -> bool:
    # The sex given is the number's, for want of a reading of its print.
    return now.sources["sex"].derived and now.reading.first(SEX.key) is not None and now.validity["number"]


def _sex_closed(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
    # Blur turned the character into something else (男 read as 第): asked only whether it is
    # 男 or 女, the recogniser may still tell them apart.
    line = now.reading.first(SEX.key)
    assert line is not None
    yield [read_closed(looking.card, line, looking.text, SEX_CHARSET)]


def _sex_surely_the_numbers(looking: Looking, before: Judged, after: Judged) -> bool:
    line = after.reading.first(SEX.key)
    facts = parse_number(before.info["number"], looking.today)
    return line is not None and line.reading.confidence >= SURE_SEX_VARIANT \
        and facts is not None and line.reading.text == facts.sex


# The second reader's answer for one field: (validity key or "nation", lines key).
_BY_LABELS: tuple[tuple[Side, str, str], ...] = (
    ("front", "name", "name"), ("front", "number", "number"), ("front", "sex", "sex"),
    ("front", "nation", "nation"), ("front", "birthday", "birth"), ("front", "address", "address"),
    ("back", "authority", "authority"), ("back", "timelimit", "timelimit"),
)
_FROM_NUMBER = {"sex": ("sex",), "birthday": ("year", "month", "day")}


def _passes_check(key: str, judged: Judged) -> bool:
    # The nation has no validity flag: one of the 56 names is its check. Sex and birth date
    # given from the number for want of their print are not yet read.
    if key == "nation":
        return bool(judged.info["nation"])
    return judged.validity[key] and not any(judged.sources[k].derived for k in _FROM_NUMBER.get(key, ()))


def _fails(key: str, judged: Judged) -> bool:
    # Failing its check: a sex or birth date a valid number gives for want of its print passes
    # (the number vouches for it; reading its print again could only say where it was printed).
    if key == "nation":
        return not judged.info["nation"]
    return not judged.validity[key]


def _restores_cut_start(key: str, before: Judged, after: Judged) -> bool:
    # Not when the longer text no longer names a real place where the cut one did: words read
    # before it (a label, a stamp's 复印无效) are no lost start.
    was, now = before.sources.get(key), after.sources.get(key)
    return was is not None and now is not None and was.cut and bool(was.text) \
        and len(now.text) > len(was.text) and now.text.endswith(was.text) \
        and (now.place_known or not was.place_known)


def _readers_disagree(key: str) -> Callable[[Judged, Judged], bool]:
    """True when the second reader reads free text as many characters as the layout's reading
    but not the same ones, or only the start of it: two crops of the same print read two ways,
    neither is sure. A rare character the layout read a little unsurely (㛃) comes back from the
    other crop as its common look-alike (契), surely enough to pass; an address printed above
    its label row comes back as its first line alone, a real place. Free text has no check to
    tell which reading is right."""

    def disagree(before: Judged, after: Judged) -> bool:
        was, now = before.info.get(key, ""), after.info.get(key, "")
        if not was or was == now:
            return False
        return len(was) == len(now) or (bool(now) and was.startswith(now))

    return disagree


def _ends_full(before: Judged, after: Judged) -> bool:
    """True when the second reader's address ends on a line that runs to the address column's
    end: the address wraps onto a next line it did not take (a stamp's words run into that
    line's start, so it is not flush with the first), and what it gives is only its start."""
    lines = after.reading.lines.get(ADDRESS.key) or []
    return bool(lines) and lines[-1].box[2] >= ADDRESS.band[2] - FULL_LINE_ROOM * ADDRESS.text_height


def _doubts_address(before: Judged, after: Judged) -> bool:
    """The second reader's address is not vouched when the readers disagree or it ends full."""
    return _readers_disagree(ADDRESS.key)(before, after) or _ends_full(before, after)


# The front's printed rows, top to bottom, each as the fields printed on it (validity key or
# "nation", lines key).
_FRONT_ROWS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("name", NAME.key),), (("sex", SEX.key), ("nation", NATION.key)), (("birthday", BIRTH.key),),
    (("address", ADDRESS.key),), (("number", NUMBER.key),),
)
# The fields the second reader can find in the band between their neighbours alone, and whether
# the band may reach past a neighbouring row the first reading did not place, (above, below), to
# the next placed one: only where the field is still told from the rows it then takes in.
_BY_BAND: dict[str, tuple[bool, bool]] = {
    "name": (False, False), "sex": (False, False), "nation": (False, False),
    "birthday": (False, True), "address": (True, True),
}


def _placed(row: tuple[tuple[str, str], ...], now: Judged) -> list[ReadLine]:
    """The lines of ``row``'s fields that pass their checks from their own print: the first
    reading found where that row is printed."""
    return [line for key, lines_key in row if _passes_check(key, now)
            for line in now.reading.lines[lines_key]]


def _band(key: str, now: Judged) -> tuple[float, float] | None:
    """The heights between which the front's ``key`` is printed, from the rows the first reading
    placed around it (``_BY_BAND``): below the row above it (the card's top edge, for the name),
    above the row below it. None when those rows were not placed. Each bound lies half-way
    between its line's middle and its edge: past that line's characters, short of the field's."""
    if key not in _BY_BAND:
        return None
    skip_above, skip_below = _BY_BAND[key]
    at = next(i for i, row in enumerate(_FRONT_ROWS) if any(k == key for k, _ in row))
    top = 0.0
    if at > 0:
        above = _nearest_placed(_FRONT_ROWS[at - 1 :: -1], now, skip_above)
        if above is None:
            return None
        top = max((line.box[1] + 3 * line.box[3]) / 4 for line in above)
    below = _nearest_placed(_FRONT_ROWS[at + 1 :], now, skip_below)
    if below is None:
        return None
    bottom = min((3 * line.box[1] + line.box[3]) / 4 for line in below)
    return (top, bottom) if bottom > top else None


def _nearest_placed(rows: tuple[tuple[tuple[str, str], ...], ...], now: Judged,
                    skip: bool) -> list[ReadLine] | None:
    """The placed lines of the first of ``rows`` (of the first placed one, with ``skip``)."""
    for row in rows if skip else rows[:1]:
        if lines := _placed(row, now):
            return lines
    return None


def _by_labels_look(side: Side, key: str, lines_key: str, beyond: bool = False) -> SecondLook:
    """The second reader's reading of one field, for a field the layout read left failing; with
    ``beyond``, its reading past the card's outline (for what is failing still)."""

    def fires(_: Looking, now: Judged) -> bool:
        return _fails(key, now) if beyond else not _passes_check(key, now)

    def reads(looking: Looking, now: Judged) -> Iterator[list[ReadLine]]:
        band = _band(key, now) if not beyond else None
        if band is not None and looking.between is not None:
            found: list[ReadLine] | None = looking.between(lines_key, *band)
        else:
            found = (looking.beyond_outline if beyond else looking.by_labels)().get(lines_key)
        if found:
            yield found

    def keeps(_: Looking, before: Judged, after: Judged) -> bool:
        # It must pass its own checks and cost no other field its validity (a number that
        # passes but contradicts a birth date read right is no gain). A free-text value whose
        # start the card's edge cut off is also replaced by one that restores that start, though
        # the new one is not vouched for either (read too unsurely): it is the more complete.
        lost = any(ok and not after.validity[k] for k, ok in before.validity.items())
        return not lost and (_passes_check(key, after) or _restores_cut_start(key, before, after))

    # Kept as before (it passes its checks, the first did not), but free text the two readers
    # read differently is not vouched for: no check tells which of them is right.
    doubts = _readers_disagree(key) if key in FREE_TEXT_FIELDS else None
    if key == ADDRESS.key:
        doubts = _doubts_address
    name = f"{key} by its label" + (" beyond the outline" if beyond else "")
    return SecondLook(name, side, lines_key, fires, reads, keeps, doubts, key)


POLICY: tuple[SecondLook, ...] = (
    _wider_look("front", "number", NUMBER),
    _wider_look("front", "birthday", BIRTH),
    _wider_look("back", "timelimit", TIMELIMIT),
    _wider_look("back", "authority", AUTHORITY),
    SecondLook("number to its length", "front", NUMBER.key, _number_short, _number_to_length,
               _number_and_birth_pass),
    SecondLook("nation from variant crops", "front", NATION.key, _nation_missing, _nation_variants,
               _whole_nation_surely),
    SecondLook("nation from windows one line tall", "front", NATION.key, _nation_missing, _nation_in_windows,
               _whole_nation_surely),
    SecondLook("address to its band's end", "front", ADDRESS.key, _address_fades, _address_to_band_end,
               _address_extended_surely),
    SecondLook("sex as 男 or 女", "front", SEX.key, _sex_unread_number_valid, _sex_closed,
               _sex_surely_the_numbers),
    SecondLook("birth date to its band's end", "front", BIRTH.key, _birth_unread_number_valid,
               _birth_to_band_end, _birth_printed_agrees),
    # Last, and only for what is still failing: the card read again without its layout (text
    # lines detected and read, each value found by its label), the layout's reading replaced
    # field by field where this one passes the field's checks.
    *(_by_labels_look(side, key, lines_key) for side, key, lines_key in _BY_LABELS),
    # Then, for what still fails, the same past the card's outline: an outline found inside the
    # card (on a ruled line, a crease) leaves rows off the straightened card, not off the photo.
    # Only fields whose checks would notice a row cut short or taken from elsewhere: a name or an
    # address read there can pass (a real place, read surely) with its last line missing. Only
    # what fails them, too: a sex or birth date the valid number gives is right whatever is read
    # there (on a grey copy, whose 年 and 月 fade with the labels, that was a whole second reading
    # of the card for nothing).
    *(_by_labels_look(side, key, lines_key, beyond=True) for side, key, lines_key in _BY_LABELS
      if key not in ("name", "address")),
)

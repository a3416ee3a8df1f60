"""Place names on the card checked against the table of China's administrative divisions.

An address begins with its province, prefecture and county (``浙江省杭州市西湖区``, ``北京市朝阳区``)
and an issuing authority with the place whose bureau it is (``宣威市公安局``,
``杭州市公安局西湖分局``). Those parts come from a closed list, so a misread character there can
be found, and put right when the recogniser's candidates at that position support exactly one
real place (``华莹市`` -> ``华蓥市``, ``宜威市`` -> ``宣威市``). A place that is neither in the
table nor one supported change away stays as read and is reported unknown, so the field is not
marked valid.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from idcard_ocr.domain.regions import counties, region_parts
from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.parse import ADDRESS_LABEL, AUTHORITY_LABEL
from idcard_ocr.pipeline.validate import TRADITIONAL_TO_SIMPLIFIED, stamp_tail

MAX_PLACE_FIXES = 2  # characters of a place name we are willing to change
# A changed character needs real support: with a lower bar some other real place is nearly
# always within reach (宜威 -> 宜城 when the true 宣威 had no support at all).
MIN_PLACE_SUPPORT = 0.01
BRANCH = "分局"
MAX_LABEL_CHARS = 2  # stray label characters a value may begin with
PLACE_AMBIGUITY = math.log(4.0)  # the best place must be 4x likelier than the next one
BUREAU = "公安局"
# Punctuation, symbols and separators (Unicode categories P*, S*, Z*) never end an address.
TRAILING_CATEGORIES = frozenset("PSZ")

Candidates = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PlaceText:
    """A field's text after the place check: possibly corrected, and whether its place is real."""

    text: str
    known: bool
    confidences: tuple[float, ...] = ()  # per character of ``text`` (1.0 where it was corrected)
    # Label characters were read just before it and dropped: the line's start was on the crop
    # (nothing of the value can have been cut off before the label's end).
    after_label: bool = False


@lru_cache(maxsize=1)
def address_prefixes() -> frozenset[str]:
    """How an address in each county-level division begins: province + prefecture + county."""
    prefixes: set[str] = set()
    for code in counties():
        parts = region_parts(code)
        if parts is not None:
            province, city, county = parts
            prefixes.add(province + city + county)
    return frozenset(prefixes)


@lru_cache(maxsize=1)
def bureau_places() -> frozenset[str]:
    """Every place that can name a public security bureau: prefectures and county-level
    divisions (and the municipalities, which are province-level)."""
    names: set[str] = set()
    for code in counties():
        parts = region_parts(code)
        if parts is not None:
            province, city, county = parts
            names.update(n for n in (city, county) if n)
            if not city:
                names.add(province)
    return frozenset(names)


@lru_cache(maxsize=64)
def _places_of_length(length: int) -> frozenset[str]:
    """The bureau places of exactly ``length`` characters."""
    return frozenset(n for n in bureau_places() if len(n) == length)


@lru_cache(maxsize=4096)
def districts_of(place: str) -> frozenset[str]:
    """How the branches of ``place``'s bureau are named: its districts without the 区 that a
    branch name drops (杭州市 -> 西湖, 上城, ...). Empty for a place with no districts (a county,
    whose bureau has police stations, 派出所, rather than district branches)."""
    names: set[str] = set()
    for code in counties():
        parts = region_parts(code)
        if parts is not None and place in (parts[1], parts[0]):
            county = parts[2]
            if county.endswith("区") and len(county) > 2:
                names.add(county[:-1])
    return frozenset(names)


def aligned(lines: Sequence[LineReading], label: str) -> tuple[str, list[Candidates]]:
    """The lines' text joined, spaces and a leading ``label`` removed, traditional forms
    simplified, with each remaining character's candidates kept beside it."""
    text, cands, _ = _aligned(lines, label)
    return text, cands


def _aligned(lines: Sequence[LineReading], label: str) -> tuple[str, list[Candidates], bool]:
    """``aligned``, and whether the end of ``label`` was read before the text and dropped."""
    chars: list[str] = []
    cands: list[Candidates] = []
    for reading in lines:
        for char, options in zip(reading.text, reading.candidates, strict=False):
            if not char.isspace():
                chars.append(char.translate(TRADITIONAL_TO_SIMPLIFIED))
                cands.append(options)
    text = "".join(chars)
    for i in range(len(label)):
        if text.startswith(label[i:]):
            drop = len(label) - i
            return text[drop:], cands[drop:], True
    return text, cands, False


def _support(options: Candidates, char: str) -> float:
    return max((p for c, p in options if c.translate(TRADITIONAL_TO_SIMPLIFIED) == char), default=0.0)


def _looks_like_label(options: Candidates, label: str) -> bool:
    """True when the recogniser saw one of ``label``'s characters at this position."""
    return any(c in label for c, p in options if p >= MIN_PLACE_SUPPORT)


@dataclass(frozen=True)
class _PlaceIndex:
    """A set of place names arranged for ``snap_place``: their lengths, and each name longer
    than ``MAX_PLACE_FIXES`` under each of its ``MAX_PLACE_FIXES + 1`` parts (thirds). A name that
    differs from a text in at most that many characters equals it exactly in one part at least,
    so only the names sharing a part with the text need comparing, not all three thousand."""

    lengths: tuple[int, ...]  # distinct, ascending
    by_part: dict[tuple[int, int, str], tuple[str, ...]]  # (length, which part, its text)
    short: dict[int, tuple[str, ...]]  # names too short to split: every one is compared


def _parts(length: int) -> tuple[tuple[int, int], ...]:
    """[start, end) of each part of a name of ``length`` characters."""
    return tuple(pairwise(length * part // (MAX_PLACE_FIXES + 1) for part in range(MAX_PLACE_FIXES + 2)))


@lru_cache(maxsize=64)
def _place_index(names: frozenset[str]) -> _PlaceIndex:
    by_part: dict[tuple[int, int, str], list[str]] = {}
    short: dict[int, list[str]] = {}
    for name in names:
        if len(name) <= MAX_PLACE_FIXES:
            short.setdefault(len(name), []).append(name)
            continue
        for part, (a, b) in enumerate(_parts(len(name))):
            by_part.setdefault((len(name), part, name[a:b]), []).append(name)
    return _PlaceIndex(
        tuple(sorted({len(n) for n in names})),
        {key: tuple(found) for key, found in by_part.items()},
        {length: tuple(found) for length, found in short.items()},
    )


def _near_names(index: _PlaceIndex, tail: str) -> Iterator[str]:
    """The names that could begin ``tail`` with at most ``MAX_PLACE_FIXES`` characters changed
    (a superset: each still has to be compared), each once."""
    for length in index.lengths:
        if length > len(tail):
            break
        if length <= MAX_PLACE_FIXES:
            yield from index.short.get(length, ())
            continue
        seen: set[str] = set()
        for part, (a, b) in enumerate(_parts(length)):
            for name in index.by_part.get((length, part, tail[a:b]), ()):
                if name not in seen:
                    seen.add(name)
                    yield name


def snap_place(text: str, cands: Sequence[Candidates], names: frozenset[str], start: int = 0) -> str | None:
    """The real place name that ``text[start:]`` begins with, or the one a supported change of
    at most two characters makes it begin with (unambiguously); None when neither."""
    tail = text[start:]
    index = _place_index(names)
    exact = [tail[:length] for length in index.lengths if length <= len(tail) and tail[:length] in names]
    if exact:
        return max(exact, key=len)
    found: list[tuple[float, str]] = []
    for name in _near_names(index, tail):
        diffs = [i for i in range(len(name)) if name[i] != tail[i]]
        if len(diffs) > MAX_PLACE_FIXES:
            continue
        score = 0.0
        for i in diffs:
            options = cands[start + i]
            support = _support(options, name[i])
            if support < MIN_PLACE_SUPPORT:
                break
            score += math.log(support) - math.log(max(options[0][1], 1e-9))
        else:
            found.append((score, name))
    if not found:
        return None
    found.sort(reverse=True)
    if len(found) > 1 and found[0][0] - found[1][0] < PLACE_AMBIGUITY and found[0][1] != found[1][1]:
        return None
    return found[0][1]


def _fixed(text: str, cands: Sequence[Candidates], start: int, name: str,
           confidences_before: Sequence[float] | None = None) -> PlaceText:
    end = start + len(name)
    confidences = list(confidences_before) if confidences_before is not None else [
        c[0][1] if c else 0.0 for c in cands
    ]
    for i in range(start, end):
        if text[i] != name[i - start]:
            # The corrected character is as sure as the recogniser's support for it: the text
            # is likelier right than before, but is vouched for only if that support is high.
            confidences[i] = _support(cands[i], name[i - start])
    return PlaceText(text[:start] + name + text[end:], True, tuple(confidences))


def without_trailing_marks(reading: LineReading) -> LineReading:
    """``reading`` with trailing punctuation and symbols dropped (its confidence recomputed).

    An address ends in a character or a digit: a mark after it is a speck or a smudge read as
    a comma or an ellipsis, and must not make the whole address look unsure.
    """
    keep = len(reading.text)
    while keep and unicodedata.category(reading.text[keep - 1])[0] in TRAILING_CATEGORIES:
        keep -= 1
    return reading if keep == len(reading.text) else _first_chars(reading, keep)


def without_stamp_tail(reading: LineReading) -> LineReading:
    """``reading`` without the stamp's words that ran on after its value (``validate.stamp_tail``).

    A stamp laid across the card crosses a value's line: its characters, in the line's band,
    are read on after the value. Cut, the value stands alone and is checked as such; a line that
    is nothing but a stamp's words is left whole (a value of stamp words is not vouched for).
    """
    keep = stamp_tail(reading.text)
    return reading if keep in (0, len(reading.text)) else _first_chars(reading, keep)


def _first_chars(reading: LineReading, keep: int) -> LineReading:
    """``reading``'s first ``keep`` characters, its confidence that of the characters kept."""
    candidates = reading.candidates[:keep]
    confidence = sum(c[0][1] for c in candidates) / keep if keep else 0.0
    return replace(reading, text=reading.text[:keep], confidence=confidence, candidates=candidates,
                   positions=reading.positions[:keep])


def check_address(lines: Sequence[LineReading]) -> PlaceText:
    """The address with its province-prefecture-county beginning checked (and corrected)."""
    # Not marked ``after_label``: an address line whose ink ran into its band's edge stays in
    # doubt though 址 was read before it (on held-out photos, vouching for such lines let a
    # misread address through; an address has more ways to go wrong than an authority).
    text, cands = aligned(lines, ADDRESS_LABEL)
    for start in range(MAX_LABEL_CHARS + 1):
        # Characters before the province are label ink read into the crop (主址…, 址…).
        name = snap_place(text, cands, address_prefixes(), start)
        if name is not None:
            return _fixed(text[start:], cands[start:], 0, name)
    return PlaceText(text, False, tuple(c[0][1] if c else 0.0 for c in cands))


def check_address_rows(lines: Sequence[LineReading]) -> tuple[int, PlaceText]:
    """How many of an address's ``lines`` come before the one it begins on, and ``check_address``
    of the lines from that one: 0 and all of them when the first begins it, or when no line
    begins a real place.

    An address begins with its province, so a row read above that line in the address's band
    is not the address's: a stamp's words across the card (``优软审核`` above ``四川省达州市…``).
    """
    whole = check_address(lines)
    if whole.known:
        return 0, whole
    for skip in range(1, len(lines)):
        rest = check_address(lines[skip:])
        if rest.known:
            return skip, rest
    return 0, whole


def check_authority(reading: LineReading) -> PlaceText:
    """The authority with the place its bureau is named after checked (and corrected)."""
    text, cands, after_label = _aligned([reading], AUTHORITY_LABEL)
    keep = [i for i, c in enumerate(text) if "\u3400" <= c <= "\u9fff" or c == "\u3007"]
    text, cands = "".join(text[i] for i in keep), [cands[i] for i in keep]
    bureau_at = text.find(BUREAU)
    name = None
    for start in range(min(MAX_LABEL_CHARS, max(bureau_at - 2, 0)) + 1):
        # Characters before the place are label ink read into the crop (关宣威市…), but only
        # when they look like the label: place names are short, and dropping a misread first
        # character could leave another real place (长沙县 -> 沙县).
        if start and not all(_looks_like_label(cands[i], AUTHORITY_LABEL) for i in range(start)):
            break
        places = _places_of_length(bureau_at - start)
        name = snap_place(text[:bureau_at], cands, places, start) if places else None
        if name is not None:
            text, cands = text[start:], cands[start:]
            after_label = after_label or start > 0
            break
    if name is None:
        return PlaceText(text, False, tuple(c[0][1] if c else 0.0 for c in cands), after_label)
    bureau_at = len(name)
    fixed = replace(_fixed(text, cands, 0, name), after_label=after_label)
    branch = fixed.text[bureau_at + len(BUREAU) :]
    if branch.endswith(BRANCH) and branch.count(BRANCH) == 1:
        # A branch is named after its district: 西湖分局 for 西湖区. Another name is a misread
        # (or a branch the table does not know), not to be vouched for.
        district = branch[: -len(BRANCH)]
        if not ({district, district + "区"} & bureau_places()):
            # A misread district of this very city is put right as its place was: only to one
            # of the city's own districts, and only where the candidates support it.
            at = bureau_at + len(BUREAU)
            own = districts_of(name)
            snapped = snap_place(fixed.text, cands, own, at) if own else None
            if snapped is None or fixed.text[at + len(snapped) :] != BRANCH:
                return PlaceText(fixed.text, False, fixed.confidences, after_label)
            return replace(_fixed(fixed.text, cands, at, snapped, fixed.confidences), after_label=after_label)
    return fixed

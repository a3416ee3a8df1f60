"""Synthetic card holders: internally consistent identities built on ``idcard_ocr.domain``.

Every identity passes the domain's own checks: the number's check character, birth date and sex
agree with the number, the address begins with the number's province/city/county, the validity
term fits the age at issue, the issuing authority has the printed form, the nation is one of 56.
Generation is driven by one ``random.Random`` so a seed reproduces a whole set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from idcard_ocr.domain.dates import split_birth
from idcard_ocr.domain.id_number import make_number
from idcard_ocr.domain.nations import NATION_WEIGHTS, NATIONS
from idcard_ocr.domain.regions import counties
from idcard_ocr.domain.terms import expected_end, format_timelimit, term_years_for_age
from idcard_ocr.synth.addresses import make_address, wrap_address
from idcard_ocr.synth.authorities import make_authority, region_prefix
from idcard_ocr.synth.names import DOT_NATIONS, dot_name, han_name, minority_name

Sex = Literal["男", "女"]
NameKind = Literal["han", "rare", "dot"]

# A fixed "today" keeps sets reproducible whatever day they are generated on.
SYNTH_TODAY = date(2026, 6, 30)
SECOND_GENERATION_START = date(2004, 1, 1)  # second-generation cards were issued from 2004

MUNICIPALITY_PREFIXES = ("11", "12", "31", "50")


@dataclass(frozen=True)
class Identity:
    """One card holder: what the front and the back print, and the API's answers for each."""

    name: str
    sex: Sex
    nation: str
    birth: date
    number: str
    address: str
    address_lines: tuple[str, ...]
    authority: str
    issue: date
    expiry: date | None  # None: 长期 (long-term)
    region6: str = field(default="")

    @property
    def timelimit(self) -> str:
        """The back's validity as the API writes it: ``20190806-20390806`` or ``20190806-长期``."""
        return format_timelimit(self.issue, self.expiry)

    @property
    def printed_term(self) -> str:
        """The validity as printed on the card: ``2019.08.06-2039.08.06`` / ``2019.08.06-长期``."""
        end = "长期" if self.expiry is None else self.expiry.strftime("%Y.%m.%d")
        return f"{self.issue.strftime('%Y.%m.%d')}-{end}"

    def front_info(self) -> dict[str, str]:
        """The API's front ``info``, keys in contract order."""
        year, month, day = split_birth(self.birth)
        return {
            "name": self.name,
            "number": self.number,
            "sex": self.sex,
            "nation": self.nation,
            "year": year,
            "month": month,
            "day": day,
            "address": self.address,
        }

    def back_info(self) -> dict[str, str]:
        """The API's back ``info``, keys in contract order."""
        return {"authority": self.authority, "timelimit": self.timelimit}


def pick_nation(rng: random.Random) -> str:
    """A nation drawn by the domain's ``NATION_WEIGHTS`` (census shares)."""
    return rng.choices(NATIONS, weights=[NATION_WEIGHTS[n] for n in NATIONS])[0]


def _pick_region(rng: random.Random, short: bool) -> str:
    codes = counties()
    if short:  # a municipality district keeps the region prefix short enough for a 1-line address
        codes = [c for c in codes if c[:2] in MUNICIPALITY_PREFIXES and len(region_prefix(c)) <= 6]
    return rng.choice(codes)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _random_date(rng: random.Random, start: date, end: date) -> date:
    picked = start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
    # Terms end on the same month and day; avoid 29 February so no leap-year rule is involved.
    return picked - timedelta(days=1) if (picked.month, picked.day) == (2, 29) else picked


def _birth_and_term(
    rng: random.Random, today: date, long_term: bool | None
) -> tuple[date, date, date | None]:
    for _ in range(200):
        age_now = rng.randint(47, 88) if long_term else rng.choice((rng.randint(3, 80), rng.randint(18, 60)))
        birth = _random_date(
            rng, today - timedelta(days=365 * (age_now + 1)), today - timedelta(days=365 * age_now)
        )
        earliest = max(SECOND_GENERATION_START, birth + timedelta(days=365))
        if long_term:
            earliest = max(earliest, birth.replace(year=birth.year + 46) + timedelta(days=1))
        if earliest > today:
            continue
        issue = _random_date(rng, max(earliest, today - timedelta(days=365 * 20)), today)
        years = term_years_for_age(_age_on(birth, issue))
        if long_term is not None and (years is None) != long_term:
            continue
        expiry = None if years is None else expected_end(issue, years)
        if expiry is not None and expiry < today and rng.random() < 0.9:
            continue  # most cards photographed are still in force
        return birth, issue, expiry
    raise RuntimeError("could not draw a birth date and term")  # pragma: no cover - bounded search


def _number_for(rng: random.Random, region6: str, birth: date, sex: Sex, x_check: bool | None) -> str:
    parity = 1 if sex == "男" else 0
    for _ in range(5000):
        seq3 = rng.randrange(parity, 1000, 2)
        number = make_number(region6, birth, seq3)
        if x_check is None or number.endswith("X") == x_check:
            return number
    raise RuntimeError("no sequence gives the requested check character")  # pragma: no cover


def _name_for(rng: random.Random, nation: str, kind: NameKind | None) -> str:
    if kind == "dot":
        return dot_name(rng)
    if kind == "rare":
        return han_name(rng, rare=True)
    if kind is None:
        styled = minority_name(rng, nation) if rng.random() < 0.8 else None
        if styled:
            return styled
        return han_name(rng, rare=rng.random() < 0.04)
    return han_name(rng)


def make_identity(
    rng: random.Random,
    *,
    nation: str | None = None,
    name_kind: NameKind | None = None,
    x_check: bool | None = None,
    address_lines: int | None = None,
    long_term: bool | None = None,
    today: date = SYNTH_TODAY,
) -> Identity:
    """A consistent identity; keyword arguments force one property, None leaves it to chance."""
    if nation is None and name_kind == "dot":
        nation = rng.choice(sorted(DOT_NATIONS))  # a dotted name belongs to a Turkic-language nation
    nation = nation or pick_nation(rng)
    if address_lines is None and rng.random() < 0.04:
        address_lines = 1  # short addresses exist (municipal districts); keep a few in every set
    sex: Sex = rng.choice(("男", "女"))
    region6 = _pick_region(rng, short=address_lines == 1)
    birth, issue, expiry = _birth_and_term(rng, today, long_term)
    address = make_address(rng, region_prefix(region6), lines=address_lines)
    return Identity(
        name=_name_for(rng, nation, name_kind),
        sex=sex,
        nation=nation,
        birth=birth,
        number=_number_for(rng, region6, birth, sex, x_check),
        address=address,
        address_lines=tuple(wrap_address(address)),
        authority=make_authority(rng, region6),
        issue=issue,
        expiry=expiry,
        region6=region6,
    )


def make_identities(
    count: int, seed: int, every_nation: bool = False, today: date = SYNTH_TODAY
) -> list[Identity]:
    """``count`` identities from ``seed``; with ``every_nation`` the first 56 cover all nations
    (in a shuffled order), so any set of at least 56 holds each of them."""
    rng = random.Random(seed)
    forced = list(NATIONS)
    rng.shuffle(forced)
    return [
        make_identity(rng, nation=forced[i] if every_nation and i < len(forced) else None, today=today)
        for i in range(count)
    ]

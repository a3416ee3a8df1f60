"""Typed results, parsed from the service's ``data`` object.

The ``repr`` of a result masks the name, the number and the address (``赵*``,
``3301**********4010``) so that logging a result does not leak a card holder's identity; the
attributes themselves hold the full values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# What the back side's validity term prints for a card that never expires.
LONG_TERM = "长期"


def mask_name(name: str) -> str:
    """``赵宁宁`` -> ``赵**``: keep the family-name character only."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_number(number: str) -> str:
    """``330106198912014010`` -> ``3301**********4010``."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _parse_yyyymmdd(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FrontInfo:
    """The portrait side (人像面). Empty strings where the service could not read a field."""

    name: str
    number: str
    sex: str
    nation: str
    year: str  # strings without leading zeros, as the service sends them: "1989", "12", "1"
    month: str
    day: str
    address: str

    @property
    def birth_date(self) -> dt.date | None:
        """The date of birth, or None when year/month/day are missing or not a real date."""
        try:
            return dt.date(int(self.year), int(self.month), int(self.day))
        except ValueError:
            return None

    def __repr__(self) -> str:
        return (
            f"FrontInfo(name={mask_name(self.name)!r}, number={mask_number(self.number)!r}, "
            f"sex={self.sex!r}, nation={self.nation!r}, year={self.year!r}, month={self.month!r}, "
            f"day={self.day!r}, address={'*' * min(len(self.address), 6)!r})"
        )


@dataclass(frozen=True, slots=True)
class BackInfo:
    """The emblem side (国徽面): issuing authority and validity term (``20190806-20390806``)."""

    authority: str
    timelimit: str

    @property
    def valid_from(self) -> dt.date | None:
        """The first day of validity, or None when the term could not be read."""
        start, _, _ = self.timelimit.partition("-")
        return _parse_yyyymmdd(start)

    @property
    def valid_until(self) -> dt.date | None:
        """The last day of validity; None for a long-term (长期) card or an unreadable term."""
        _, _, end = self.timelimit.partition("-")
        return _parse_yyyymmdd(end)

    @property
    def is_long_term(self) -> bool:
        """True when the card never expires (the term ends in 长期)."""
        return self.timelimit.partition("-")[2].strip() == LONG_TERM


@dataclass(frozen=True, slots=True)
class CardResult:
    """One card of a photo read with ``multi=1`` (an item of ``IdCardResult.cards``).

    The same fields as the answer itself, for that card; ``raw`` is its JSON object, including
    the extras asked for (``detail``, ``cropCard``, ``quality``, ``risk``) of that card.
    """

    result: int
    side: str
    rotate: int
    front: FrontInfo | None
    back: BackInfo | None
    validity: dict[str, bool]
    raw: dict[str, Any] = field(repr=False)

    @property
    def recognized(self) -> bool:
        """True when this card was read (``result == 0``)."""
        return self.result == 0


@dataclass(frozen=True, slots=True)
class IdCardResult:
    """One answered request with ``code`` 200.

    ``result`` is 0 when the card was read (and billed: ``charged``), 1 when the photo holds text
    but no readable card; then ``front``/``back`` carry empty strings and ``validity`` is all
    False. ``rotate`` is how far the card was turned clockwise in the photo (0/90/180/270).
    ``raw`` is the whole JSON body, including any extra output asked for with options.
    With ``multi=1``, ``cards`` holds every card in the photo in reading order (the front and the
    back of a copy page), and ``msg`` says when there were more than one front and one back.
    """

    task_no: str
    charged: bool
    result: int
    side: str
    rotate: int
    front: FrontInfo | None
    back: BackInfo | None
    validity: dict[str, bool]
    raw: dict[str, Any] = field(repr=False)
    cards: tuple[CardResult, ...] = ()
    msg: str = ""

    @property
    def recognized(self) -> bool:
        """True when the service read the card (``result == 0``)."""
        return self.result == 0

    @property
    def card_front(self) -> FrontInfo | None:
        """The first front among ``cards`` that was read (else the answer's own front): with
        ``multi=1`` the page's portrait side whichever card answered."""
        return next((c.front for c in self.cards if c.front and c.recognized), self.front)

    @property
    def card_back(self) -> BackInfo | None:
        """The first back among ``cards`` that was read (else the answer's own back)."""
        return next((c.back for c in self.cards if c.back and c.recognized), self.back)


def parse_rotate(value: object) -> int:
    """``"cw90"`` -> 90; an absent field means the photo was upright (0)."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.startswith("cw") and value[2:] in {"0", "90", "180", "270"}:
        return int(value[2:])
    raise ValueError(f"unexpected rotate value {value!r}")


def _text(info: dict[str, Any], key: str) -> str:
    value = info.get(key, "")
    return "" if value is None else str(value)


def _parse_card(data: dict[str, Any]) -> CardResult:
    info = data.get("info") or {}
    validity = data.get("validity") or {}
    if not isinstance(info, dict) or not isinstance(validity, dict):
        raise ValueError("info and validity must be objects")
    side = str(data.get("side", ""))
    front = back = None
    if side == "front":
        front = FrontInfo(**{key: _text(info, key) for key in FrontInfo.__dataclass_fields__})
    elif side == "back":
        back = BackInfo(authority=_text(info, "authority"), timelimit=_text(info, "timelimit"))
    return CardResult(
        result=int(data.get("result", 1)),
        side=side,
        rotate=parse_rotate(data.get("rotate")),
        front=front,
        back=back,
        validity={str(k): bool(v) for k, v in validity.items()},
        raw=data,
    )


def parse_result(body: dict[str, Any]) -> IdCardResult:
    """Build an :class:`IdCardResult` from a code-200 body. Raises ValueError when it is malformed."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise ValueError("code 200 without a data object")
    card = _parse_card(data)
    listed = data.get("cards") or []
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        raise ValueError("cards must be a list of objects")
    return IdCardResult(
        task_no=str(body.get("taskNo", "")),
        charged=bool(body.get("charge", False)),
        result=card.result,
        side=card.side,
        rotate=card.rotate,
        front=card.front,
        back=card.back,
        validity=card.validity,
        raw=body,
        cards=tuple(_parse_card(item) for item in listed),
        msg=str(body.get("msg", "")),
    )

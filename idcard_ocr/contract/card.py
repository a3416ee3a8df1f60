"""A recognition as the contract's ``data`` object, and the code that answers it.

The one mapping from what the recogniser read to what the contract returns, used by the
service's endpoint and by ``idcard-ocr scan`` alike:

- no text anywhere on the photo: 301, no ``data``;
- otherwise 200 with ``data``: ``result`` 0 when at least one field was read and passes its
  checks, else 1 with every ``info`` value blanked and every ``validity`` flag false.

It reads any object shaped like :class:`CardReading` (the pipeline's ``Recognition`` is one),
so it needs nothing from the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

# Key order is part of the contract: ``data`` carries these keys in exactly this order.
FRONT_INFO_KEYS: tuple[str, ...] = ("name", "number", "sex", "nation", "year", "month", "day", "address")
FRONT_VALIDITY_KEYS: tuple[str, ...] = ("birthday", "number", "address", "sex", "name")
BACK_INFO_KEYS: tuple[str, ...] = ("authority", "timelimit")
BACK_VALIDITY_KEYS: tuple[str, ...] = ("authority", "timelimit")


class CardReading(Protocol):
    """What a recognition must tell for the contract's answer (read-only)."""

    @property
    def text_found(self) -> bool:
        """False when the photo had no text at all."""
        ...

    @property
    def side(self) -> str:
        """``front`` or ``back``."""
        ...

    @property
    def rotate(self) -> int:
        """How far the card is turned clockwise in the photo: 0, 90, 180 or 270."""
        ...

    @property
    def info(self) -> Mapping[str, str]:
        """Each field's text as read."""
        ...

    @property
    def validity(self) -> Mapping[str, bool]:
        """Each check's verdict, by the contract's validity keys."""
        ...


def info_keys(side: str) -> tuple[str, ...]:
    """The ``info`` keys of ``side``, in the contract's order."""
    return FRONT_INFO_KEYS if side == "front" else BACK_INFO_KEYS


def validity_keys(side: str) -> tuple[str, ...]:
    """The ``validity`` keys of ``side``, in the contract's order."""
    return FRONT_VALIDITY_KEYS if side == "front" else BACK_VALIDITY_KEYS


def result_of(reading: CardReading) -> int:
    """0 when at least one field was read and passes its checks, else 1 (``data.result``)."""
    return 0 if any(reading.validity.values()) else 1


def data_of(reading: CardReading) -> dict[str, object]:
    """The contract's ``data`` object, keys in contract order."""
    result = result_of(reading)
    failed = result == 1
    data: dict[str, object] = {"result": result, "side": reading.side}
    if reading.rotate:
        data["rotate"] = f"cw{reading.rotate}"
    data["info"] = {k: ("" if failed else reading.info.get(k, "")) for k in info_keys(reading.side)}
    data["validity"] = {
        k: not failed and bool(reading.validity.get(k, False)) for k in validity_keys(reading.side)
    }
    return data


def answer_of(reading: CardReading) -> tuple[int, dict[str, Any] | None]:
    """The code a recognition answers, with ``data`` for 200: ``(301, None)`` or ``(200, data)``."""
    if not reading.text_found:
        return 301, None
    return 200, data_of(reading)

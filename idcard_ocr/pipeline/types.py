"""What the recognition pipeline returns. Knows nothing of HTTP, accounts or money."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Side = Literal["front", "back"]
Point = tuple[float, float]

# Key order is part of the contract: the API returns these keys in exactly this order.
FRONT_INFO_KEYS: tuple[str, ...] = ("name", "number", "sex", "nation", "year", "month", "day", "address")
FRONT_VALIDITY_KEYS: tuple[str, ...] = ("birthday", "number", "address", "sex", "name")
BACK_INFO_KEYS: tuple[str, ...] = ("authority", "timelimit")
BACK_VALIDITY_KEYS: tuple[str, ...] = ("authority", "timelimit")


class ImageDecodeError(ValueError):
    """The bytes are not an image the pipeline can decode."""


@dataclass(frozen=True)
class FieldReading:
    """One field as read: its text, the recogniser's confidence and where it was on the photo."""

    text: str
    confidence: float
    # Four corners (clockwise from top-left of the text) in the uploaded image's pixel coordinates.
    box: tuple[Point, Point, Point, Point] | None = None
    # "print": read where the card prints it; "number": its print could not be read, and the value
    # is the one the (valid) ID number encodes (sex, birth date).
    source: str = "print"


@dataclass
class Recognition:
    """The outcome of one recognition: the API's ``data`` plus internals for later use."""

    text_found: bool  # False: no text anywhere on the photo (the API's 301)
    side: Side = "front"
    rotate: int = 0  # how far the card is turned clockwise in the photo: 0, 90, 180 or 270
    info: dict[str, str] = field(default_factory=dict)
    validity: dict[str, bool] = field(default_factory=dict)
    fields: dict[str, FieldReading] = field(default_factory=dict)
    card_quad: tuple[Point, Point, Point, Point] | None = None  # card corners in the photo, TL TR BR BL
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def result(self) -> int:
        """0 when at least one field was read and passes its checks, else 1 (the API's ``result``)."""
        return 0 if any(self.validity.values()) else 1

    def api_data(self) -> dict[str, object]:
        """The contract's ``data`` object, keys in contract order."""
        front = self.side == "front"
        info_keys = FRONT_INFO_KEYS if front else BACK_INFO_KEYS
        validity_keys = FRONT_VALIDITY_KEYS if front else BACK_VALIDITY_KEYS
        failed = self.result == 1
        data: dict[str, object] = {"result": self.result, "side": self.side}
        if self.rotate:
            data["rotate"] = f"cw{self.rotate}"
        data["info"] = {k: ("" if failed else self.info.get(k, "")) for k in info_keys}
        data["validity"] = {k: not failed and bool(self.validity.get(k, False)) for k in validity_keys}
        return data


class Recognizer(Protocol):
    """Anything that turns image bytes into a Recognition; the service depends on this alone."""

    def recognize(self, image: bytes) -> Recognition: ...

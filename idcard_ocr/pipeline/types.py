"""What the recognition pipeline returns. Knows nothing of HTTP, accounts or money."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # assess imports this module; the view is only carried here
    from idcard_ocr.pipeline.assess.photo_view import PhotoView

Side = Literal["front", "back"]
Point = tuple[float, float]

# The fields read on each side (``Recognition.info`` keys). How they are answered over HTTP,
# in which order and under which flags, is the contract's business (``idcard_ocr.contract.card``).
FRONT_FIELDS: tuple[str, ...] = ("name", "number", "sex", "nation", "year", "month", "day", "address")
BACK_FIELDS: tuple[str, ...] = ("authority", "timelimit")


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
    """The outcome of one recognition: the fields as read, their checks, and where they lay."""

    text_found: bool  # False: no text anywhere on the photo
    side: Side = "front"
    rotate: int = 0  # how far the card is turned clockwise in the photo: 0, 90, 180 or 270
    info: dict[str, str] = field(default_factory=dict)
    validity: dict[str, bool] = field(default_factory=dict)
    fields: dict[str, FieldReading] = field(default_factory=dict)
    card_quad: tuple[Point, Point, Point, Point] | None = None  # card corners in the photo, TL TR BR BL
    timings_ms: dict[str, float] = field(default_factory=dict)
    # How sharp the value print was (``legible.print_sharpness``; None: not measured). Below
    # ``legible.MIN_PRINT_SHARPNESS`` no free text (name, address, authority) is marked valid.
    print_sharpness: float | None = None
    # The decoded photo and the straightened card, kept for assessments asked for after the
    # reading (crops, quality, risk) so they need not decode and straighten it again. Holds
    # references to arrays the recogniser made anyway; freed with the Recognition.
    view: PhotoView | None = field(default=None, repr=False, compare=False)


class Recognizer(Protocol):
    """Anything that turns image bytes into a Recognition; the service depends on this alone."""

    def recognize(self, image: bytes, today: date | None = None) -> Recognition: ...

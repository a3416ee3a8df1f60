"""Opt-in output beyond the vendor's contract: field boxes, crops, quality and risk warnings.

A request asks with extra form fields (``detail``, ``cropCard``, ``cropPortrait``, ``quality``,
``risk``, ``multi`` = ``1``/``true``; ``side`` = ``front``/``back``); each adds its key to
``data`` and a request without them gets exactly the contract's body. They never change billing:
the price depends on ``result`` alone (with ``multi``, once per photo however many cards).
A present but invalid value is a 400 ``参数错误: <field>``.
See ``docs/extras.md`` for every shape and how each flag is decided.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from idcard_ocr.api.envelope import ApiError
from idcard_ocr.api.request_form import RequestForm
from idcard_ocr.contract.card import data_of, info_keys, result_of
from idcard_ocr.pipeline.assess import (
    HeaderReader,
    assess_quality,
    assess_risk,
    card_crop,
    encode_jpeg,
    number_check,
    portrait_crop,
    view_photo,
)
from idcard_ocr.pipeline.assess.photo_view import PhotoView
from idcard_ocr.pipeline.types import Point, Recognition, Side

# Form field -> ExtraOptions attribute, in the order the keys are added to ``data``.
FLAG_FIELDS: dict[str, str] = {
    "detail": "detail",
    "cropCard": "crop_card",
    "cropPortrait": "crop_portrait",
    "quality": "quality",
    "risk": "risk",
}
SIDE_FIELD = "side"
MULTI_FIELD = "multi"  # every card in the photo, under data.cards, each with the extras above
_ON, _OFF = frozenset({"1", "true"}), frozenset({"0", "false"})


@dataclass(frozen=True)
class ExtraOptions:
    """What one request asked for beyond the contract."""

    detail: bool = False
    crop_card: bool = False
    crop_portrait: bool = False
    quality: bool = False
    risk: bool = False
    expected_side: Side | None = None
    multi: bool = False

    @property
    def needs_photo(self) -> bool:
        """True when an answer must look at the photo's pixels again."""
        return self.crop_card or self.crop_portrait or self.quality or self.risk

    @property
    def requested(self) -> bool:
        """True when anything beyond the contract's body was asked for."""
        return self.needs_photo or self.detail or self.expected_side is not None or self.multi


def _invalid(name: str) -> ApiError:
    return ApiError(400, f"参数错误: {name}")


def read_extra_options(form: RequestForm) -> ExtraOptions:
    """The options in ``form``; absent or empty fields are off. Raises 400 on any other value
    than ``1``/``true``/``0``/``false`` (any case), or a ``side`` other than ``front``/``back``."""
    chosen: dict[str, Any] = {}
    for name, attribute in FLAG_FIELDS.items():
        value = (form.text(name) or "").strip().lower()
        if value and value not in _ON | _OFF:
            raise _invalid(name)
        chosen[attribute] = value in _ON
    multi = (form.text(MULTI_FIELD) or "").strip().lower()
    if multi and multi not in _ON | _OFF:
        raise _invalid(MULTI_FIELD)
    chosen["multi"] = multi in _ON
    side = (form.text(SIDE_FIELD) or "").strip().lower()
    if side and side not in ("front", "back"):
        raise _invalid(SIDE_FIELD)
    chosen["expected_side"] = side or None
    return ExtraOptions(**chosen)


def _points(quad: tuple[Point, ...] | None) -> list[list[float]] | None:
    return None if quad is None else [[round(x, 1), round(y, 1)] for x, y in quad]


def detail_of(recognition: Recognition) -> dict[str, Any]:
    """``{"card": quad | null, "fields": {key: {"box": quad | null, "confidence": 0..1, "source":
    "print" | "number" | null}}}`` for every ``info`` key of the detected side, in the contract's
    order. ``source`` "number": the print could not be read and the value is the one the valid ID
    number encodes (sex, birth date; box null). A field that was not found, or a recognition whose
    ``result`` is 1 (its ``info`` is blanked), has box null, confidence 0, source null."""
    failed = result_of(recognition) == 1
    fields: dict[str, Any] = {}
    for key in info_keys(recognition.side):
        reading = recognition.fields.get(key)
        if reading is None or failed or not reading.text:
            fields[key] = {"box": None, "confidence": 0.0, "source": None}
            continue
        confidence = min(max(float(reading.confidence), 0.0), 1.0)
        fields[key] = {
            "box": _points(reading.box), "confidence": round(confidence, 4), "source": reading.source
        }
    return {"card": _points(recognition.card_quad), "fields": fields}


def _jpeg_base64(image: Any) -> str:
    return base64.b64encode(encode_jpeg(image)).decode("ascii")


def _risk(
    view: PhotoView, recognition: Recognition, info: dict[str, str], header_reader: HeaderReader | None,
    today: date,
) -> dict[str, Any]:
    header = header_reader(view.card, recognition.side) if header_reader and view.card is not None else ""
    report = assess_risk(view, recognition.side, info.get("timelimit", ""), header, today)
    return {
        "flags": report.flags,
        "numberCheck": int(number_check(recognition.side, info, today)),
        "metrics": report.metrics,
    }


def extras_for(
    options: ExtraOptions,
    photo: bytes,
    recognition: Recognition,
    header_reader: HeaderReader | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The keys to add to ``data`` for ``options``: CPU work (measuring the photo and the card
    the recogniser straightened, which it carries in ``recognition.view``; reading the card's
    header for ``risk`` with ``header_reader``, the served recogniser's own models), to be run
    off the event loop. A recognition without a view has ``photo`` decoded again."""
    today = today or date.today()
    info = data_of(recognition)["info"]
    assert isinstance(info, dict)
    extra: dict[str, Any] = {}
    if options.detail:
        extra["detail"] = detail_of(recognition)
    if options.needs_photo:
        view = view_photo(photo, recognition)
        card = card_crop(view)
        if options.crop_card and card is not None:
            extra["cropCard"] = _jpeg_base64(card)
        portrait = portrait_crop(view, recognition.side) if options.crop_portrait else None
        if portrait is not None:
            extra["cropPortrait"] = _jpeg_base64(portrait)
        if options.quality:
            report = assess_quality(
                view, recognition.side, recognition.fields, info_keys(recognition.side),
                recognition.print_sharpness,
            )
            extra["quality"] = {"score": report.score, "flags": report.flags, "metrics": report.metrics}
        if options.risk:
            extra["risk"] = _risk(view, recognition, info, header_reader, today)
    if options.expected_side is not None:
        extra["sideMatch"] = recognition.side == options.expected_side
    return extra


def cards_of(
    options: ExtraOptions,
    photo: bytes,
    cards: list[Recognition],
    header_reader: HeaderReader | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """``data.cards`` for ``multi``: each card's own ``result``, ``side``, ``rotate``, ``info``,
    ``validity`` (``rotate`` only when turned, as in the contract) and the extras asked for
    (``detail``, crops, ``quality``, ``risk``) of that card."""
    per_card = replace(options, expected_side=None, multi=False)
    listed: list[dict[str, Any]] = []
    for card in cards:
        data = data_of(card)
        data.update(extras_for(per_card, photo, card, header_reader, today))
        listed.append(data)
    return listed


# The OpenAPI description of the options and of what they add to ``data``.
_QUAD_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 4,
    "maxItems": 4,
    "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
    "description": "Four corners [x, y], TL TR BR BL of the upright card or text, in the uploaded "
    "photo's pixels after its EXIF orientation.",
}
_FLAG_FORM_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": ["1", "true", "0", "false"],
    "description": "Opt-in extra output (any case); absent, empty, 0 or false: off. Never billed.",
}
OPTION_FIELD_DOCS: dict[str, dict[str, Any]] = {
    **{name: dict(_FLAG_FORM_SCHEMA) for name in FLAG_FIELDS},
    SIDE_FIELD: {
        "type": "string",
        "enum": ["front", "back"],
        "description": "The side the caller expects; data.sideMatch says whether it was that side. "
        "On a photo holding both sides, the card of this side answers (default: the front).",
    },
    MULTI_FIELD: {
        **_FLAG_FORM_SCHEMA,
        "description": "multi=1: data.cards lists every card in the photo (at most 4), in reading "
        "order, each with its own extras. Billed once per photo.",
    },
}


def _flags_schema(names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(names),
        "properties": {name: {"type": "boolean"} for name in names},
    }


EXTRA_DATA_PROPERTIES: dict[str, dict[str, Any]] = {
    "detail": {
        "type": "object",
        "description": "detail=1: where the card and each info field lie; box null when not found.",
        "properties": {
            "card": {"anyOf": [_QUAD_SCHEMA, {"type": "null"}]},
            "fields": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "box": {"anyOf": [_QUAD_SCHEMA, {"type": "null"}]},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "source": {
                            "anyOf": [{"type": "string", "enum": ["print", "number"]}, {"type": "null"}],
                            "description": "print: read from the card's print; number: the print "
                            "was unreadable and the value is what the valid ID number encodes.",
                        },
                    },
                },
            },
        },
    },
    "cropCard": {"type": "string", "format": "byte", "description": "cropCard=1: the upright card, "
                 "856 x 540 JPEG, base64; absent when no card outline was found."},
    "cropPortrait": {"type": "string", "format": "byte", "description": "cropPortrait=1: the front's "
                     "portrait, JPEG, base64; absent on the back."},
    "quality": {
        "type": "object",
        "description": "quality=1: score 0..100, one flag per problem, the numbers behind them.",
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "flags": _flags_schema(
                ("blur", "glare", "overexposed", "underexposed", "cutOff", "occluded", "tooSmall")
            ),
            "metrics": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    },
    "risk": {
        "type": "object",
        "description": "risk=1: photocopy, screen, temporary, expired flags and numberCheck "
        "(-1 no number / not front, 0 malformed, 1 agrees, 2 birth, 3 sex, 4 province disagrees, "
        "5 several).",
        "properties": {
            "flags": _flags_schema(("photocopy", "screen", "temporary", "expired")),
            "numberCheck": {"type": "integer", "enum": [-1, 0, 1, 2, 3, 4, 5]},
            "metrics": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    },
    "sideMatch": {"type": "boolean", "description": "side=front|back: whether the detected side is it."},
    "cards": {
        "type": "array",
        "maxItems": 4,
        "description": "multi=1: every card in the photo in reading order (top to bottom, left to "
        "right), each with result, side, rotate (only when turned), info, validity and the "
        "detail, cropCard, cropPortrait, quality and risk extras asked for, of that card.",
        "items": {"type": "object", "required": ["result", "side", "info", "validity"]},
    },
}

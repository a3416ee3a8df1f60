"""The OpenAPI description of ``POST /ocr/idcard-v1``, written by hand because the endpoint reads
its body itself. Kept exact (fields, types, codes) so that contract tests can be generated from it."""

from __future__ import annotations

from typing import Any

from idcard_ocr.api.envelope import CODES, MESSAGES
from idcard_ocr.api.extras import EXTRA_DATA_PROPERTIES, OPTION_FIELD_DOCS
from idcard_ocr.contract.card import BACK_INFO_KEYS, BACK_VALIDITY_KEYS, FRONT_INFO_KEYS, FRONT_VALIDITY_KEYS

_FIELD_DOCS = {
    "appId": {"type": "string", "description": "The caller's id, issued by the operator."},
    "timestamp": {
        "type": "integer",
        "format": "int64",
        "description": "Caller's current time in ms since the epoch; must be within the server's window.",
    },
    "sign": {"type": "string", "description": "sha256(appId + appSecret + timestamp) as hex, any case."},
    "base64": {
        "type": "string",
        "description": "The photo as base64; a data:image/...;base64, prefix and whitespace are accepted.",
    },
    "image": {"type": "string", "description": "Alias of base64."},
    "url": {"type": "string", "description": "An http(s) address of the photo (public addresses only)."},
    **OPTION_FIELD_DOCS,  # opt-in extras (docs/extras.md)
}
_FILE_DOC = {
    "type": "string",
    "format": "binary",
    "description": "The photo: JPEG or PNG, 8 < side ≤ 4000 px, ≤ 2 MB.",
}


def _form_schema(with_file: bool) -> dict[str, Any]:
    properties = dict(_FIELD_DOCS)
    if with_file:
        properties = {
            **dict(list(_FIELD_DOCS.items())[:3]),
            "file": _FILE_DOC,
            **dict(list(_FIELD_DOCS.items())[3:]),
        }
    return {
        "type": "object",
        "required": ["appId", "timestamp", "sign"],
        "properties": properties,
        "description": (
            "Exactly one photo is used: the first present of file, base64/image, url. "
            "Field names are case-sensitive; of a repeated field the first occurrence counts. "
            "Fields not named here (a vendor client's productCode, say) are ignored."
        ),
    }


REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": _form_schema(with_file=True)},
        "application/x-www-form-urlencoded": {"schema": _form_schema(with_file=False)},
    },
}


def _object(keys: tuple[str, ...], value_type: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(keys),
        "properties": {k: {"type": value_type} for k in keys},
        "additionalProperties": False,
    }


def _data(side: str, info_keys: tuple[str, ...], validity_keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["result", "side", "info", "validity"],
        "properties": {
            "result": {
                "type": "integer",
                "enum": [0, 1],
                "description": "0 recognised; 1 no field could be read.",
            },
            "side": {"type": "string", "enum": [side]},
            "rotate": {
                "type": "string",
                "enum": ["cw90", "cw180", "cw270"],
                "description": "Present only when the card is turned clockwise in the photo.",
            },
            "info": _object(info_keys, "string"),
            "validity": _object(validity_keys, "boolean"),
            **EXTRA_DATA_PROPERTIES,  # only when asked for with the option fields
        },
        "additionalProperties": False,
    }


ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "msg", "taskNo", "charge"],
    "properties": {
        "code": {
            "type": "integer",
            "enum": [c for c in CODES if c != 404],
            "description": "; ".join(f"{c} {m}" for c, m in MESSAGES.items() if c != 404),
        },
        "msg": {"type": "string"},
        "taskNo": {"type": "string", "pattern": "^[0-9]{20}$"},
        "charge": {"type": "boolean", "description": "True only for a billed 200 with result 0."},
        "data": {
            "oneOf": [
                _data("front", FRONT_INFO_KEYS, FRONT_VALIDITY_KEYS),
                _data("back", BACK_INFO_KEYS, BACK_VALIDITY_KEYS),
            ],
            "description": "Present when code is 200.",
        },
    },
    "additionalProperties": False,
}

NOT_FOUND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "msg"],
    "properties": {
        "code": {"type": "integer", "enum": [404]},
        "msg": {"type": "string", "enum": [MESSAGES[404]]},
    },
    "additionalProperties": False,
}

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every business outcome; read `code`.",
        "content": {"application/json": {"schema": ENVELOPE_SCHEMA}},
    },
    405: {
        "description": "Wrong HTTP method: the envelope with code 400.",
        "content": {"application/json": {"schema": ENVELOPE_SCHEMA}},
    },
}

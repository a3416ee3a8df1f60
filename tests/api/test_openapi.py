"""The published OpenAPI description matches what the endpoint does (contract tests use it)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from idcard_ocr.api.access import REQUIRED_FIELDS
from idcard_ocr.api.envelope import MESSAGES
from idcard_ocr.api.extras import FLAG_FIELDS, SIDE_FIELD
from tests.api.support import Service

pytestmark = pytest.mark.anyio


async def test_openapi_describes_the_endpoint_fields_and_codes(service: Service) -> None:
    schema = (await service.http.get("/openapi.json")).json()
    operation = schema["paths"]["/ocr/idcard-v1"]["post"]
    multipart = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert multipart["required"] == ["appId", "timestamp", "sign"]
    contract_fields = ["appId", "timestamp", "sign", "file", "base64", "image", "url"]
    opt_in_extras = ["detail", "cropCard", "cropPortrait", "quality", "risk", "side"]
    assert list(multipart["properties"]) == contract_fields + opt_in_extras
    assert multipart["properties"]["timestamp"]["type"] == "integer"
    assert multipart["properties"]["file"]["format"] == "binary"
    urlencoded = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert "file" not in urlencoded["properties"]
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert envelope["required"] == ["code", "msg", "taskNo", "charge"]
    assert set(envelope["properties"]["code"]["enum"]) == set(MESSAGES) - {404}
    sides = [branch["properties"]["side"]["enum"] for branch in envelope["properties"]["data"]["oneOf"]]
    assert sides == [["front"], ["back"]]
    front_info = envelope["properties"]["data"]["oneOf"][0]["properties"]["info"]
    assert front_info["required"] == ["name", "number", "sex", "nation", "year", "month", "day", "address"]
    assert "/healthz" not in schema["paths"]


def fits(value: object, schema: dict[str, Any]) -> bool:
    """A small JSON-schema check covering what the envelope schema uses."""
    if "oneOf" in schema:
        return sum(fits(value, branch) for branch in schema["oneOf"]) == 1
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "pattern" in schema and not (isinstance(value, str) and re.fullmatch(schema["pattern"], value)):
        return False
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict) or not set(schema.get("required", [])) <= set(value):
            return False
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False and not set(value) <= set(properties):
            return False
        return all(fits(v, properties[k]) for k, v in value.items() if k in properties)
    types = {"string": str, "boolean": bool, "integer": int}
    return kind is None or isinstance(value, types[kind])


async def test_real_answers_fit_the_published_schema(service: Service) -> None:
    schema = (await service.http.get("/openapi.json")).json()
    responses = schema["paths"]["/ocr/idcard-v1"]["post"]["responses"]
    envelope = responses["200"]["content"]["application/json"]["schema"]
    caller = service.account()
    ok = await service.post_photo(caller)
    assert fits(ok, envelope)
    assert fits(await service.post_photo(caller, sign="bad"), envelope)
    assert not fits(ok | {"data": {**ok["data"], "side": "back"}}, envelope)  # the check has teeth


async def test_the_description_names_every_field_read_and_says_others_are_ignored(service: Service) -> None:
    schema = (await service.http.get("/openapi.json")).json()
    content = schema["paths"]["/ocr/idcard-v1"]["post"]["requestBody"]["content"]
    read_by_the_endpoint = [*REQUIRED_FIELDS, "file", "base64", "image", "url", *FLAG_FIELDS, SIDE_FIELD]
    for media_type, form in content.items():
        uploads = media_type == "multipart/form-data"  # a urlencoded body cannot carry a file
        expected = [name for name in read_by_the_endpoint if uploads or name != "file"]
        assert list(form["schema"]["properties"]) == expected, media_type
        assert "not named here" in form["schema"]["description"]
        assert "ignored" in form["schema"]["description"]


async def test_fields_not_in_the_description_are_ignored(service: Service) -> None:
    caller = service.account(balance=5)
    plain = await service.post_photo(caller)
    # What clients of the vendor's other products send along, and a field in another case.
    extra = await service.post_photo(caller, productCode="idcard", APPID="x", callback="http://x.test")
    for answer in (plain, extra):
        assert (answer["code"], answer["charge"]) == (200, True)
    assert extra["data"] == plain["data"] and service.balance(caller) == 3

"""Every option, flag, metric and code is published: in the OpenAPI description and in
docs/extras.md, so that neither falls behind the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idcard_ocr.api.extras import EXTRA_DATA_PROPERTIES, FLAG_FIELDS, SIDE_FIELD
from idcard_ocr.pipeline.assess.consistency import NumberCheck
from idcard_ocr.pipeline.assess.quality import FLAG_NAMES
from tests.extras.conftest import StubService

DOC = Path(__file__).resolve().parents[2] / "docs" / "extras.md"
OPTIONS = (*FLAG_FIELDS, SIDE_FIELD)
RISK_FLAGS = ("photocopy", "screen", "temporary", "expired")
QUALITY_METRICS = ("cardFound", "sharpness", "glareBlob", "saturated", "meanGrey", "brightGrey",
                   "cornerClearanceMm", "cardShare", "cardLongSidePx", "occluderShare", "unreadFields",
                   "printSharpness")
RISK_METRICS = ("colourSpread", "screenPeakRatio")


@pytest.mark.anyio
async def test_openapi_lists_every_option_and_what_it_adds(stub_service: StubService) -> None:
    schema = (await stub_service.http.get("/openapi.json")).json()
    operation = schema["paths"]["/ocr/idcard-v1"]["post"]
    for content in ("multipart/form-data", "application/x-www-form-urlencoded"):
        properties = operation["requestBody"]["content"][content]["schema"]["properties"]
        assert set(OPTIONS) <= set(properties), content
        assert not set(OPTIONS) & set(operation["requestBody"]["content"][content]["schema"]["required"])
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
    for branch in envelope["properties"]["data"]["oneOf"]:
        assert set(EXTRA_DATA_PROPERTIES) <= set(branch["properties"])
        assert not set(EXTRA_DATA_PROPERTIES) & set(branch["required"])  # only when asked for
    quality = EXTRA_DATA_PROPERTIES["quality"]["properties"]["flags"]["properties"]
    assert tuple(quality) == FLAG_NAMES


def test_the_guide_covers_every_option_flag_metric_and_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    for word in (*OPTIONS, *FLAG_NAMES, *RISK_FLAGS, *QUALITY_METRICS, *RISK_METRICS, "sideMatch"):
        assert f"`{word}`" in text, word
    table_codes = {int(code) for code in re.findall(r"^\|\s*(-?\d)\s*\|", text, flags=re.MULTILINE)}
    assert table_codes == {int(code) for code in NumberCheck}

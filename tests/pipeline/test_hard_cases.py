"""Photos the recogniser once got wrong, kept so that it does not get them wrong again.

Each photo in ``tests/data/hard/`` was drawn by ``idcard_ocr.synth`` for the accuracy benchmark
and failed there; its record in one of the ``*.json`` files beside it says why it is hard and
where it came from. Every
field must come back exact and valid, on the right side and turned the right way; only free text
read from print too soft to vouch for (``legible.py``: a blurred photocopy) comes back unvouched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from idcard_ocr.contract.card import data_of
from idcard_ocr.pipeline import CardRecognizer, load_recognizer
from idcard_ocr.pipeline.fields import FREE_TEXT_FIELDS
from idcard_ocr.pipeline.legible import too_soft

pytestmark = pytest.mark.models

HARD_DIR = Path(__file__).resolve().parent.parent / "data" / "hard"
RECORDS: list[dict[str, Any]] = [
    record
    for path in sorted(HARD_DIR.glob("*.json"))
    for record in json.loads(path.read_text(encoding="utf-8"))
]


@pytest.fixture(scope="module")
def recognizer() -> CardRecognizer:
    return load_recognizer(threads=1)


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_a_once_missed_photo_is_read_exactly(recognizer: CardRecognizer, record: dict[str, Any]) -> None:
    result = recognizer.recognize((HARD_DIR / record["file"]).read_bytes())
    data = data_of(result)
    assert (result.side, result.rotate) == (record["side"], record["rotate"]), record["why"]
    info = data["info"]
    assert isinstance(info, dict)
    assert {key: info[key] for key in record["info"]} == record["info"], record["why"]
    validity = data["validity"]
    assert isinstance(validity, dict)
    soft = too_soft(result.print_sharpness)
    vouched = [ok for key, ok in validity.items() if not (soft and key in FREE_TEXT_FIELDS)]
    assert all(vouched), (validity, record["why"])
    assert not (soft and any(validity.get(key) for key in FREE_TEXT_FIELDS)), validity

"""A grey scan and a palette PNG of a real-looking card are read by the real recogniser.

Old scanners and some apps save ID photos in grey or with a colour palette; users expect the
same fields as from a colour photo. Marked ``models``: it loads the bundled OCR models.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from idcard_ocr.contract.card import data_of

pytestmark = [pytest.mark.models, pytest.mark.slow]
CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def recognizer() -> Any:
    from idcard_ocr.pipeline import load_recognizer

    return load_recognizer(threads=1)


@pytest.mark.parametrize("mode", ["grey-jpeg", "palette-png"])
def test_grey_and_palette_photos_are_read_like_colour_ones(recognizer: Any, mode: str) -> None:
    truth = next(
        r for r in json.loads((CARDS / "truth.json").read_text("utf-8")) if r["file"] == "front_0001.jpg"
    )
    colour = Image.open(CARDS / "front_0001.jpg")
    photo = (
        _encode(colour.convert("L"), "JPEG")
        if mode == "grey-jpeg"
        else _encode(colour.convert("P", palette=Image.Palette.ADAPTIVE, colors=64), "PNG")
    )
    recognition = recognizer.recognize(photo)
    data = data_of(recognition)
    assert data["result"] == 0 and data["side"] == "front"
    assert data["info"]["number"] == truth["info"]["number"]
    assert data["info"]["name"] == truth["info"]["name"]

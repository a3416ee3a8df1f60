"""Fixtures for photos holding several cards: the committed pages (``tests/data/pages``), their
truth, and the real recogniser loaded once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


def page_truth() -> list[dict[str, Any]]:
    """Every committed page's record: file, kind and its cards in reading order."""
    records: list[dict[str, Any]] = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))
    return records


def page_files() -> list[str]:
    return [record["file"] for record in page_truth()]


def truth_of(file: str) -> dict[str, Any]:
    return next(record for record in page_truth() if record["file"] == file)


def crowded_photo() -> bytes:
    """The two committed desk photos one above the other: two fronts and two backs."""
    images = [cv2.imread(str(PAGES / f"desk_000{i}.jpg")) for i in (1, 2)]
    width = min(image.shape[1] for image in images)
    resized = [cv2.resize(image, (width, round(image.shape[0] * width / image.shape[1]))) for image in images]
    stacked = np.vstack(resized)
    ok, buffer = cv2.imencode(".jpg", stacked, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return buffer.tobytes()


@pytest.fixture(scope="session")
def recognizer() -> Any:
    """The real recogniser, models loaded once for the whole session."""
    from idcard_ocr.pipeline import load_recognizer

    return load_recognizer(threads=1)

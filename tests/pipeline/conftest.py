"""Shared fixtures for the pipeline tests: the committed synthetic photo set and its answers.

``tests/data/cards/`` holds photos made by ``idcard_ocr.synth`` with ``truth.json`` beside them
(one record per photo: file, side, rotate, condition, info, quad, fields). Card photos have a
``quad``; the two non-card photos (``notext.jpg``, ``notcard_text.jpg``) do not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CARDS_DIR = Path(__file__).resolve().parent.parent / "data" / "cards"


@pytest.fixture(scope="session")
def cards_dir() -> Path:
    """The committed photo set; the test is skipped while the set is not there."""
    if not (CARDS_DIR / "truth.json").is_file():
        pytest.skip("tests/data/cards/truth.json is missing")
    return CARDS_DIR


@pytest.fixture(scope="session")
def card_truth(cards_dir: Path) -> list[dict[str, Any]]:
    """Every truth record of the committed set, in file order."""
    records = json.loads((cards_dir / "truth.json").read_text(encoding="utf-8"))
    return sorted(records, key=lambda record: record["file"])


@pytest.fixture(scope="session")
def card_photos(card_truth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The truth records of photos that show a card (they carry the card's corners)."""
    return [record for record in card_truth if record.get("quad")]


@pytest.fixture(scope="session")
def photo_bytes(cards_dir: Path) -> Callable[[str], bytes]:
    """Read one photo of the set by file name."""

    def read(name: str) -> bytes:
        return (cards_dir / name).read_bytes()

    return read

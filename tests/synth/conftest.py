"""Shared marks for the synthetic-card tests: drawing needs the CJK and OCR-B fonts."""

from __future__ import annotations

from pathlib import Path

import pytest

from idcard_ocr.synth.fonts import OCRB_FONT, available_fonts, font_path, missing_fonts_message

CARDS_DIR = Path(__file__).resolve().parent.parent / "data" / "cards"

needs_fonts = pytest.mark.skipif(
    not available_fonts() or font_path(OCRB_FONT) is None,
    reason=missing_fonts_message() or "fonts missing",
)

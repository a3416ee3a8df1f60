"""The fonts that tests drawing cards or text lines need: every one ``make fonts`` installs.

The test command (``tools/run-tests.sh``) installs them when it runs as root, through
``tools/ensure-fonts.sh``. Where one is still missing, a test that draws is skipped with the
Debian packages to install, and fails instead when services are required (CI). Fonts are found
by the card generator's own finder (``idcard_ocr.synth.fonts``), never by a fixed path.
"""

from __future__ import annotations

import pytest
from PIL import ImageFont

from idcard_ocr.synth.fonts import load_font

needs_fonts = pytest.mark.usefixtures("card_fonts")

# The faces tests draw plain text lines in: a CJK sans for Chinese and OCR-B for the number.
CJK_SANS = "wqy-microhei"
NUMBER_FONT = "ocr-b"


def text_font(key: str, size: int) -> ImageFont.FreeTypeFont:
    """The installed font ``key`` (``CJK_SANS``, ``NUMBER_FONT``, ...) at ``size`` pixels."""
    return load_font(key, size)

"""Font discovery: missing fonts are named by the Debian package that provides them."""

from __future__ import annotations

from pathlib import Path

import pytest

from idcard_ocr.synth import fonts


def test_missing_fonts_name_every_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_font_index", lambda: {})
    message = fonts.missing_fonts_message()
    for package in (
        "fonts-wqy-zenhei",
        "fonts-wqy-microhei",
        "fonts-noto-cjk",
        "fonts-arphic-ukai",
        "fonts-arphic-uming",
        "fonts-ocr-b",
        # Only the named card families draw with these (see families.py).
        "fonts-noto-cjk-extra",
        "fonts-arphic-gbsn00lp",
        "fonts-arphic-gkai00mp",
        "fonts-droid-fallback",
        "fonts-hanazono",
        "fonts-lxgw-wenkai",
        # Number faces of the tuned families beside OCR-B.
        "fonts-dejavu-core",
        "fonts-liberation2",
        "fonts-freefont-ttf",
        "fonts-noto-mono",
    ):
        assert package in message.split()
    assert message.split().count("fonts-noto-cjk") == 1  # four Noto faces, one package
    with pytest.raises(fonts.FontsMissingError, match="apt-get install"):
        fonts.require_fonts()


def test_only_the_missing_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    present = {spec.file_name: Path("/x") / spec.file_name for spec in fonts.ALL_FONTS if spec.key != "ocr-b"}
    monkeypatch.setattr(fonts, "_font_index", lambda: present)
    assert fonts.missing_packages() == ["fonts-ocr-b"]
    with pytest.raises(fonts.FontsMissingError):
        fonts.require_fonts()

"""Finding the CJK and OCR-B fonts the card drawer uses, and checking that a font has a glyph.

The fonts come from Debian packages, not from this project; when some are missing the message
names the packages to install, so a newcomer is not left guessing.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


@dataclass(frozen=True)
class FontSpec:
    """One font face: a short name, its file name, the face index inside a .ttc, its Debian package."""

    key: str
    file_name: str
    index: int
    package: str
    style: str  # "sans", "serif" or "kai": cards pick labels and values from several styles


# Face index 2 of the Noto CJK collections is the Simplified Chinese face (0 is Japanese).
CJK_FONTS: tuple[FontSpec, ...] = (
    FontSpec("wqy-zenhei", "wqy-zenhei.ttc", 0, "fonts-wqy-zenhei", "sans"),
    FontSpec("wqy-microhei", "wqy-microhei.ttc", 0, "fonts-wqy-microhei", "sans"),
    FontSpec("noto-sans", "NotoSansCJK-Regular.ttc", 2, "fonts-noto-cjk", "sans"),
    FontSpec("noto-sans-bold", "NotoSansCJK-Bold.ttc", 2, "fonts-noto-cjk", "sans"),
    FontSpec("noto-serif", "NotoSerifCJK-Regular.ttc", 2, "fonts-noto-cjk", "serif"),
    FontSpec("noto-serif-bold", "NotoSerifCJK-Bold.ttc", 2, "fonts-noto-cjk", "serif"),
    FontSpec("ukai", "ukai.ttc", 0, "fonts-arphic-ukai", "kai"),
    FontSpec("uming", "uming.ttc", 0, "fonts-arphic-uming", "serif"),
)
OCRB_FONT = FontSpec("ocr-b", "OCRB.otf", 0, "fonts-ocr-b", "mono")
ALL_FONTS: tuple[FontSpec, ...] = (*CJK_FONTS, OCRB_FONT)

# A code point no font draws: whatever a font renders for it is that font's "tofu" box.
_MISSING_PROBE = "\U000ffffd"


class FontsMissingError(RuntimeError):
    """No usable CJK font (or no OCR-B font) is installed; the message names the packages."""


@functools.cache
def _font_index() -> dict[str, Path]:
    # One walk over the font folders, remembered: file name -> path.
    found: dict[str, Path] = {}
    extra = os.environ.get("IDCARD_FONT_DIR")
    roots = ([Path(extra)] if extra else []) + list(FONT_DIRS)
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                found.setdefault(name, Path(dirpath) / name)
    return found


def font_path(spec: FontSpec) -> Path | None:
    """Where ``spec`` is installed, or None."""
    return _font_index().get(spec.file_name)


def available_fonts() -> list[FontSpec]:
    """The CJK fonts (not OCR-B) that are installed."""
    return [spec for spec in CJK_FONTS if font_path(spec) is not None]


def missing_packages() -> list[str]:
    """Debian packages to install for the fonts that are missing, without repeats."""
    packages: list[str] = []
    for spec in ALL_FONTS:
        if font_path(spec) is None and spec.package not in packages:
            packages.append(spec.package)
    return packages


def missing_fonts_message() -> str:
    """A one-line instruction naming the packages that provide the missing fonts ("" if none)."""
    packages = missing_packages()
    if not packages:
        return ""
    return "fonts missing for synthetic cards; install them with: apt-get install " + " ".join(packages)


def require_fonts() -> None:
    """Raise FontsMissingError unless at least one CJK font and the OCR-B font are installed."""
    if not available_fonts() or font_path(OCRB_FONT) is None:
        raise FontsMissingError(missing_fonts_message())


@functools.lru_cache(maxsize=256)
def load_font(key: str, size: int) -> ImageFont.FreeTypeFont:
    """The font called ``key`` (see ``ALL_FONTS``) at ``size`` pixels."""
    spec = next(s for s in ALL_FONTS if s.key == key)
    path = font_path(spec)
    if path is None:
        raise FontsMissingError(missing_fonts_message())
    return ImageFont.truetype(str(path), size, index=spec.index)


@functools.lru_cache(maxsize=8192)
def has_glyph(key: str, char: str) -> bool:
    """Whether font ``key`` really draws ``char`` (not an empty box and not its tofu box)."""
    font = load_font(key, 32)
    mask = font.getmask(char)
    if mask.size[0] == 0 or mask.size[1] == 0:
        return char.isspace()
    tofu = font.getmask(_MISSING_PROBE)
    return not (mask.size == tofu.size and bytes(mask) == bytes(tofu))


def covers(key: str, text: str) -> bool:
    """Whether font ``key`` draws every character of ``text``."""
    return all(has_glyph(key, ch) for ch in text if not ch.isspace())


def fonts_covering(text: str, style: str | None = None) -> list[str]:
    """Keys of the installed CJK fonts that draw all of ``text`` (optionally of one style)."""
    return [
        spec.key
        for spec in available_fonts()
        if (style is None or spec.style == style) and covers(spec.key, text)
    ]

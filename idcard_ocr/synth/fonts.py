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
# More faces that only the named card families draw with (see ``families.py``). They are kept out
# of ``CJK_FONTS`` so that the classic family, the clutter text and the committed test sets draw
# exactly what they drew before these were installed.
EXTRA_FONTS: tuple[FontSpec, ...] = (
    FontSpec("noto-sans-light", "NotoSansCJK-Light.ttc", 2, "fonts-noto-cjk-extra", "sans"),
    FontSpec("noto-sans-medium", "NotoSansCJK-Medium.ttc", 2, "fonts-noto-cjk-extra", "sans"),
    FontSpec("noto-serif-light", "NotoSerifCJK-Light.ttc", 2, "fonts-noto-cjk-extra", "serif"),
    FontSpec("noto-serif-medium", "NotoSerifCJK-Medium.ttc", 2, "fonts-noto-cjk-extra", "serif"),
    FontSpec("noto-serif-semibold", "NotoSerifCJK-SemiBold.ttc", 2, "fonts-noto-cjk-extra", "serif"),
    FontSpec("noto-sans-black", "NotoSansCJK-Black.ttc", 2, "fonts-noto-cjk-extra", "sans"),
    FontSpec("noto-sans-demilight", "NotoSansCJK-DemiLight.ttc", 2, "fonts-noto-cjk-extra", "sans"),
    FontSpec("noto-serif-black", "NotoSerifCJK-Black.ttc", 2, "fonts-noto-cjk-extra", "serif"),
    FontSpec("noto-serif-extralight", "NotoSerifCJK-ExtraLight.ttc", 2, "fonts-noto-cjk-extra", "serif"),
    FontSpec("ar-gbsn", "gbsn00lp.ttf", 0, "fonts-arphic-gbsn00lp", "serif"),
    FontSpec("ar-gkai", "gkai00mp.ttf", 0, "fonts-arphic-gkai00mp", "kai"),
    FontSpec("droid-fallback", "DroidSansFallbackFull.ttf", 0, "fonts-droid-fallback", "sans"),
    FontSpec("hanazono", "HanaMinA.ttf", 0, "fonts-hanazono", "serif"),
    FontSpec("wenkai", "LXGWWenKai-Regular.ttf", 0, "fonts-lxgw-wenkai", "kai"),
    FontSpec("wenkai-light", "LXGWWenKai-Light.ttf", 0, "fonts-lxgw-wenkai", "kai"),
    FontSpec("wenkai-bold", "LXGWWenKai-Bold.ttf", 0, "fonts-lxgw-wenkai", "kai"),
)
OCRB_FONT = FontSpec("ocr-b", "OCRB.otf", 0, "fonts-ocr-b", "mono")
OCRB_SHARP_FONT = FontSpec("ocr-b-sharp", "OCRBS.otf", 0, "fonts-ocr-b", "mono")
# Other monospaced faces some tuned families print the number in beside OCR-B: card printers do
# not all use the same digits, and a recogniser shaped on one face alone learns that face.
MONO_FONTS: tuple[FontSpec, ...] = (
    FontSpec("dejavu-mono", "DejaVuSansMono.ttf", 0, "fonts-dejavu-core", "mono"),
    FontSpec("dejavu-mono-bold", "DejaVuSansMono-Bold.ttf", 0, "fonts-dejavu-core", "mono"),
    FontSpec("liberation-mono", "LiberationMono-Regular.ttf", 0, "fonts-liberation2", "mono"),
    FontSpec("liberation-mono-bold", "LiberationMono-Bold.ttf", 0, "fonts-liberation2", "mono"),
    FontSpec("freemono", "FreeMono.ttf", 0, "fonts-freefont-ttf", "mono"),
    FontSpec("freemono-bold", "FreeMonoBold.ttf", 0, "fonts-freefont-ttf", "mono"),
    FontSpec("noto-mono", "NotoMono-Regular.ttf", 0, "fonts-noto-mono", "mono"),
)
ALL_FONTS: tuple[FontSpec, ...] = (*CJK_FONTS, *EXTRA_FONTS, OCRB_FONT, OCRB_SHARP_FONT, *MONO_FONTS)

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


def require_fonts(keys: tuple[str, ...] = ()) -> None:
    """Raise FontsMissingError unless at least one CJK font and the OCR-B font are installed,
    and every font named in ``keys`` (a card family's own faces)."""
    if not available_fonts() or font_path(OCRB_FONT) is None:
        raise FontsMissingError(missing_fonts_message())
    packages = missing_family_packages(keys)
    if packages:
        raise FontsMissingError(
            "fonts missing for this card family; install them with: apt-get install " + " ".join(packages)
        )


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


def fonts_covering(text: str, style: str | None = None, pool: tuple[str, ...] | None = None) -> list[str]:
    """Keys of the installed CJK fonts that draw all of ``text`` (optionally of one style).

    Without ``pool`` the choice is among ``CJK_FONTS``; with it, among the installed fonts named
    in ``pool`` (in its order).
    """
    specs = available_fonts() if pool is None else [s for s in _specs(pool) if font_path(s) is not None]
    return [spec.key for spec in specs if (style is None or spec.style == style) and covers(spec.key, text)]


def _specs(keys: tuple[str, ...]) -> list[FontSpec]:
    by_key = {spec.key: spec for spec in ALL_FONTS}
    return [by_key[key] for key in keys]


def missing_family_packages(keys: tuple[str, ...]) -> list[str]:
    """Debian packages to install for the fonts named in ``keys`` that are missing."""
    packages: list[str] = []
    for spec in _specs(keys):
        if font_path(spec) is None and spec.package not in packages:
            packages.append(spec.package)
    return packages

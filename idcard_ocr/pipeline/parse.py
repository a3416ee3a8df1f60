"""Turn recognised text into the API's field values.

Two entry points:

* the per-field cleaners used on a straightened card, where each field was read from its own
  place (``clean_name``, ``parse_birth_text``, ``normalize_timelimit`` ...): they strip a label
  that strayed into the crop, drop spaces, and write values the way the API does;
* ``parse_ocr_lines`` — a keyword parser over generic OCR output (text lines with boxes, any
  order), used when no card outline is found but text is, and by the speed benchmark to give
  the stock OCR pipeline the same parser.

Nothing here consults domain rules (check characters, terms): that is ``validate.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from idcard_ocr.domain.nations import NATIONS
from idcard_ocr.pipeline.types import BACK_FIELDS, FRONT_FIELDS, Side

NAME_LABEL = "姓名"
SEX_LABEL = "性别"
NATION_LABEL = "民族"
BIRTH_LABEL = "出生"
ADDRESS_LABEL = "住址"
NUMBER_LABEL = "公民身份号码"
AUTHORITY_LABEL = "签发机关"
TIMELIMIT_LABEL = "有效期限"
LONG_TERM = "长期"

_CJK = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")
_NUMBER = re.compile(r"\d{17}[\dX]")
_BIRTH = re.compile(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})")
_BIRTH_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# What the recogniser writes for the middle dot of transcribed names (阿依古丽·艾山).
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("•・･.．-—‧∙⋅", "·"))
_TERM_DATE = re.compile(r"(\d{4})\D?(\d{2})\D?(\d{2})")


def strip_label(text: str, label: str) -> str:
    """Remove ``label`` (or its tail, e.g. ``名`` of ``姓名``) from the start of ``text``."""
    compact = "".join(text.split())
    for i in range(len(label)):
        if compact.startswith(label[i:]):
            return compact[len(label) - i :]
    return compact


def clean_name(text: str) -> str:
    """The name as printed: label and spaces removed, only Chinese characters and the · separator."""
    name = strip_label(text, NAME_LABEL)
    name = name.translate(_MIDDLE_DOTS)
    return "".join(c for c in name if _CJK.match(c) or c == "·").strip("·")


def clean_nation(text: str) -> str:
    """The nation as printed: label, trailing 族 and non-Chinese characters removed."""
    nation = "".join(c for c in strip_label(text, NATION_LABEL) if _CJK.match(c))
    if nation.endswith("族") and nation[:-1] in NATIONS:
        nation = nation[:-1]
    return nation


def clean_address(lines: Sequence[str]) -> str:
    """The address lines joined with no spaces, the 住址 label removed."""
    joined = "".join("".join(line.split()) for line in lines)
    return strip_label(joined, ADDRESS_LABEL)


def clean_number(text: str) -> str:
    """Digits and an upper-case ``X`` only (full-width forms folded to ASCII)."""
    folded = text.upper().translate(str.maketrans("０１２３４５６７８９Ｘ×", "0123456789XX"))
    return "".join(c for c in folded if c.isascii() and (c.isdigit() or c == "X"))


def parse_birth_text(text: str) -> tuple[str, str, str] | None:
    """``1989年12月1日`` (or ``1989 12 01``) -> ``("1989", "12", "1")``: no leading zeros."""
    compact = strip_label(text, BIRTH_LABEL)
    match = _BIRTH.search(compact) or _BIRTH_COMPACT.match(compact)
    if match is None:
        return None
    year, month, day = match.groups()
    return year, str(int(month)), str(int(day))


def normalize_timelimit(text: str) -> str:
    """``2019.08.06-2039.08.06`` -> ``20190806-20390806``; ``2019.08.06-长期`` -> ``20190806-长期``.

    Returns the compacted digits as read when the shape is not recognisable, so that a wrong
    reading stays visible (and fails validation) rather than vanishing.
    """
    compact = strip_label("".join(text.split()), TIMELIMIT_LABEL)
    dates = _TERM_DATE.findall(compact)
    if LONG_TERM in compact or (len(dates) == 1 and compact.endswith(("长", "期"))):
        return f"{''.join(dates[0])}-{LONG_TERM}" if dates else ""
    if len(dates) >= 2:
        return f"{''.join(dates[0])}-{''.join(dates[1])}"
    digits = "".join(c for c in compact if c.isdigit())
    if len(digits) == 16:
        return f"{digits[:8]}-{digits[8:]}"
    return digits


def clean_authority(text: str) -> str:
    """The issuing authority: label, spaces and non-Chinese characters removed."""
    return "".join(c for c in strip_label(text, AUTHORITY_LABEL) if _CJK.match(c))


# --- keyword parser over generic OCR output --------------------------------------------------


@dataclass(frozen=True)
class OcrLine:
    """One line from a generic OCR pass: its text and top-left corner in the image."""

    text: str
    x: float
    y: float


def _reading_order(lines: Sequence[OcrLine], line_tolerance: float = 12.0) -> list[str]:
    ordered = sorted(lines, key=lambda line: (line.y, line.x))
    rows: list[list[OcrLine]] = []
    for line in ordered:
        if rows and abs(rows[-1][0].y - line.y) <= line_tolerance:
            rows[-1].append(line)
        else:
            rows.append([line])
    return ["".join("".join(item.text.split()) for item in sorted(row, key=lambda i: i.x)) for row in rows]


def _after(text: str, label: str) -> str:
    return text.split(label, 1)[1] if label in text else ""


def parse_ocr_lines(lines: Sequence[OcrLine]) -> tuple[Side, dict[str, str]]:
    """Side and ``info`` from generic OCR lines of an upright card, by keywords.

    Values that cannot be found are ``""``. Used as a fallback and as the benchmark baseline.
    """
    rows = _reading_order(lines)
    text = "".join(rows)
    if AUTHORITY_LABEL in text or TIMELIMIT_LABEL in text or "居民身份证" in text:
        back = dict.fromkeys(BACK_FIELDS, "")
        for row in rows:
            if AUTHORITY_LABEL in row or "机关" in row:
                back["authority"] = clean_authority(_after(row, "机关"))
            elif TIMELIMIT_LABEL in row or "期限" in row:
                back["timelimit"] = normalize_timelimit(_after(row, "期限"))
        return "back", back
    front = dict.fromkeys(FRONT_FIELDS, "")
    numbers = (_NUMBER.search(clean_number(row)) for row in rows)
    front["number"] = next((n.group(0) for n in numbers if n), "")
    address: list[str] = []
    in_address = False
    for row in rows:
        if NUMBER_LABEL in row or "身份号码" in row or _NUMBER.search(clean_number(row)):
            in_address = False
        elif row.startswith(("姓名", "名")) or (NAME_LABEL in row and not front["name"]):
            front["name"] = clean_name(_after(row, "名") or row)
        elif "性别" in row or "民族" in row:
            sex = _after(row, "性别") or row
            front["sex"] = next((c for c in sex if c in "男女"), "")
            front["nation"] = clean_nation(_after(row, "民族") or _after(row, "族"))
        elif "出生" in row or ("年" in row and "月" in row):
            birth = parse_birth_text(row)
            if birth:
                front["year"], front["month"], front["day"] = birth
        elif ADDRESS_LABEL in row or "住" in row[:2]:
            in_address = True
            address.append(_after(row, "址") or row)
        elif in_address:
            address.append(row)
    front["address"] = clean_address(address)
    return "front", front

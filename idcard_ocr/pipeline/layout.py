"""Where each field sits on the canonical straightened card (856 x 540 px, 10 px per mm).

Coordinates are in canonical pixels with the origin at the card's top-left corner. Each region is
a *search band*, deliberately larger than the printed text: real cards, printers and the
straightening step all shift text by a millimetre or two, so the reading stage looks for the ink
inside the band rather than cutting a thin fixed line.

Front (portrait side), in mm: 姓名 label x 5-11, y 7-11, value from x 16; 性别 row y 14, 民族
label at x 29 with the value after it; 出生 y 21; 住址 from y 28, up to three lines ~4.8 mm
apart, x 16-54; 公民身份号码 label x 5, y 46, the number from x ~27; the portrait at x 55-81.
Back (emblem side): 签发机关 label x 17, y 39, value from x 34; 有效期限 y 46.
"""

from __future__ import annotations

from dataclasses import dataclass

from idcard_ocr.pipeline.types import Side

CARD_WIDTH = 856
CARD_HEIGHT = 540
PX_PER_MM = 10

DIGITS = "0123456789"
NUMBER_CHARSET = DIGITS + "X"
BIRTH_CHARSET = DIGITS + "年月日"
TIMELIMIT_CHARSET = DIGITS + ".-长期"
SEX_CHARSET = "男女"


@dataclass(frozen=True)
class FieldRegion:
    """A field's search band on the canonical card and how to read it."""

    key: str
    band: tuple[int, int, int, int]  # x0, y0, x1, y1 in canonical px (x1, y1 exclusive)
    text_height: int  # expected height of the printed characters, px
    charset: str | None = None  # restrict the recogniser's output to these characters
    single_char: bool = False  # a one-character value (sex): never widen past the first glyph group
    # Largest blank gap inside the value, in text heights: birth skips the 年/月 labels (printed
    # in the label colour, so not value ink) between its numbers; on the right-hand fields a
    # glare spot may wash out characters mid-line, and nothing else is printed there.
    max_gap: float = 2.5
    # Horizontal squeeze before recognition (cost grows with width). Digits and long lines of
    # common characters read as well narrowed; names (rare characters) are read unsqueezed.
    width_scale: float = 1.0
    # Where the value is printed to start (px). Crops always reach back to it: a glare spot that
    # washes out the first character must not cut it off the crop.
    value_x: int | None = None

    @property
    def expected_centre_y(self) -> float:
        """Vertical centre of the band, where the text line is expected."""
        return (self.band[1] + self.band[3]) / 2


def _mm(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    return (round(x0 * PX_PER_MM), round(y0 * PX_PER_MM), round(x1 * PX_PER_MM), round(y1 * PX_PER_MM))


# Front value bands. The left edge sits just right of the labels (which end near x 11.6 mm;
# nation's near 35.6 mm; the number's near 21.5 mm; the back's near 29 mm), leaving the value
# room to sit a few millimetres left of where it should when the card outline was found a little
# too large. Label ink is told apart by colour (read.py), and parse.py strips a stray label.
NAME = FieldRegion("name", _mm(12.5, 5.0, 54.5, 13.0), 36, value_x=160)
SEX = FieldRegion("sex", _mm(12.5, 12.5, 26.0, 19.5), 34, value_x=160)
NATION = FieldRegion("nation", _mm(35.5, 12.5, 54.5, 19.5), 34, value_x=400)
BIRTH = FieldRegion(
    "birth",
    _mm(12.5, 19.5, 54.5, 26.5),
    34,
    charset=BIRTH_CHARSET,
    max_gap=4.0,
    width_scale=0.75,
    value_x=160,
)
ADDRESS = FieldRegion("address", _mm(12.5, 26.5, 54.5, 42.5), 34, max_gap=6.0, width_scale=0.85, value_x=160)
NUMBER = FieldRegion(
    "number",
    _mm(22.5, 43.5, 84.0, 51.5),
    36,
    charset=NUMBER_CHARSET,
    max_gap=8.0,
    width_scale=0.7,
    value_x=275,
)

# Back value bands.
AUTHORITY = FieldRegion(
    "authority", _mm(29.5, 36.5, 84.0, 43.5), 32, max_gap=8.0, width_scale=0.85, value_x=340
)
TIMELIMIT = FieldRegion(
    "timelimit",
    _mm(29.5, 43.5, 84.0, 50.5),
    32,
    charset=TIMELIMIT_CHARSET,
    max_gap=8.0,
    width_scale=0.9,
    value_x=340,
)

ADDRESS_LINES = 3
ADDRESS_LINE_PITCH = 48  # px between the tops of consecutive address lines

FRONT_REGIONS: tuple[FieldRegion, ...] = (NAME, SEX, NATION, BIRTH, ADDRESS, NUMBER)
BACK_REGIONS: tuple[FieldRegion, ...] = (AUTHORITY, TIMELIMIT)


@dataclass(frozen=True)
class RowTemplate:
    """Where a side's always-printed value lines lie vertically, to register a shifted card.

    ``rows`` are (top, bottom) of printed lines in canonical px; ``gaps`` are spans that are
    always blank between them. ``columns`` is the x range whose ink is profiled.
    """

    rows: tuple[tuple[int, int], ...]
    gaps: tuple[tuple[int, int], ...]
    columns: tuple[int, int]


# Measured on the card drawing (text boxes at 10 px/mm): name, sex, birth, address line 1, number.
FRONT_ROWS = RowTemplate(
    rows=((79, 109), (149, 179), (222, 246), (288, 320), (473, 499)),
    gaps=((115, 143), (185, 216), (252, 282), (425, 467)),
    columns=(150, 545),
)
# Title 中华人民共和国, title 居民身份证, authority, term.
BACK_ROWS = RowTemplate(
    rows=((72, 106), (145, 205), (396, 426), (470, 494)),
    gaps=((112, 139), (215, 385), (432, 464)),
    columns=(300, 840),
)


@dataclass(frozen=True)
class Label:
    """A label printed on every card, and the field whose value follows it on its line."""

    field: str  # the FieldRegion key placed by this label
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of its ink on the card drawing, canonical px


# Measured on the card drawing (label ink at 10 px/mm; its right end varies with the font).
FRONT_LABELS = (
    Label("name", (51, 84, 114, 107)),  # 姓名
    Label("sex", (51, 154, 114, 177)),  # 性别
    Label("nation", (293, 154, 355, 177)),  # 民族
    Label("birth", (52, 224, 114, 247)),  # 出生
    Label("address", (51, 294, 115, 317)),  # 住址
    Label("number", (52, 474, 212, 497)),  # 公民身份号码
)
BACK_LABELS = (
    Label("authority", (171, 400, 287, 425)),  # 签发机关
    Label("timelimit", (171, 470, 287, 495)),  # 有效期限
)


def labels_for(side: Side) -> tuple[Label, ...]:
    """The labels printed on ``side``."""
    return FRONT_LABELS if side == "front" else BACK_LABELS


def row_template(side: Side) -> RowTemplate:
    """The vertical registration template of ``side``."""
    return FRONT_ROWS if side == "front" else BACK_ROWS


def regions_for(side: Side) -> tuple[FieldRegion, ...]:
    """The field regions printed on ``side``."""
    return FRONT_REGIONS if side == "front" else BACK_REGIONS

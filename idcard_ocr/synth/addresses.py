"""Addresses as printed on the card: region names first, then street or village detail, in lines.

The card prints the address in a box about 11 Chinese characters wide; digits and Latin letters
take about half a character. ``wrap_address`` splits by that measure so every consumer (drawing,
ground truth, tests) agrees on the lines without needing a font.
"""

from __future__ import annotations

import random

ROAD_STEMS = (
    "文二",
    "人民",
    "解放",
    "中山",
    "建设",
    "和平",
    "新华",
    "长江",
    "黄河",
    "延安",
    "胜利",
    "光明",
    "朝阳",
    "幸福",
    "团结",
    "青年",
    "东风",
    "学院",
    "滨江",
    "桂花",
    "梧桐",
    "银杏",
    "金桥",
    "振兴",
    "复兴",
    "环城",
)
ROAD_KINDS = ("路", "街", "大道", "东路", "西路", "南路", "北路", "巷", "大街")
ESTATE_STEMS = (
    "阳光",
    "翠苑",
    "锦绣",
    "和谐",
    "金色",
    "碧水",
    "绿城",
    "春江",
    "紫荆",
    "丽景",
    "华府",
    "怡园",
)
ESTATE_KINDS = ("小区", "花园", "家园", "新村", "公寓", "苑")
TOWN_STEMS = ("城关", "新塘", "石桥", "白沙", "马家", "柳林", "高桥", "东山", "西湖", "南岭", "北坡", "三河")
TOWN_KINDS = ("镇", "乡", "街道")
VILLAGE_STEMS = ("大王", "李家", "杨树", "河东", "桃园", "上庄", "下湾", "红旗", "新民", "双塘", "张庄")

LINE_WIDTH_UNITS = 11.0  # the printed address box holds about 11 CJK characters per line
MAX_LINES = 3


def char_units(char: str) -> float:
    """How much of a line one character takes: 1 for CJK, about half for digits and Latin."""
    return 0.55 if char.isascii() else 1.0


def text_units(text: str) -> float:
    """The width of ``text`` in CJK-character units."""
    return sum(char_units(c) for c in text)


def wrap_address(address: str, width: float = LINE_WIDTH_UNITS) -> list[str]:
    """Split ``address`` into printed lines of at most ``width`` units (digit runs stay whole)."""
    lines: list[str] = []
    current = ""
    tokens: list[str] = []
    for char in address:  # keep "108" or "A3" together, as the card's typesetting does
        if (
            tokens
            and char.isascii()
            and char.isalnum()
            and tokens[-1][-1:].isascii()
            and tokens[-1].isalnum()
        ):
            tokens[-1] += char
        else:
            tokens.append(char)
    for token in tokens:
        if current and text_units(current + token) > width:
            lines.append(current)
            current = token
        else:
            current += token
    if current:
        lines.append(current)
    return lines


def _street_detail(rng: random.Random) -> str:
    road = rng.choice(ROAD_STEMS) + rng.choice(ROAD_KINDS)
    number = f"{rng.randint(1, 999)}号"
    style = rng.random()
    if style < 0.35:
        return road + number
    if style < 0.7:
        room = f"{rng.randint(1, 32)}0{rng.randint(1, 4)}室"
        return f"{road}{number}{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元{room}"
    estate = rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_KINDS)
    return f"{road}{estate}{rng.randint(1, 40)}栋{rng.randint(101, 2804)}室"


def _village_detail(rng: random.Random) -> str:
    town = rng.choice(TOWN_STEMS) + rng.choice(TOWN_KINDS)
    village = rng.choice(VILLAGE_STEMS) + "村"
    if rng.random() < 0.6:
        return f"{town}{village}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
    return f"{town}{village}{rng.randint(1, 300)}号"


def _detail(rng: random.Random) -> str:
    return _village_detail(rng) if rng.random() < 0.35 else _street_detail(rng)


def _one_line(rng: random.Random, region_prefix: str) -> str:
    for _ in range(40):
        address = f"{region_prefix}{rng.choice(ROAD_STEMS)}路{rng.randint(1, 99)}号"
        if len(wrap_address(address)) == 1:
            return address
    return f"{region_prefix}{rng.choice(ROAD_STEMS)}路{rng.randint(1, 9)}号"


def _three_lines(rng: random.Random, region_prefix: str) -> str:
    address = region_prefix
    for _ in range(40):
        address = region_prefix + _detail(rng)
        # Add building, unit and room parts until the text runs onto a third line.
        parts = (f"{rng.randint(1, 30)}幢", f"{rng.randint(1, 6)}单元", f"{rng.randint(101, 2804)}室")
        extras = iter(parts * 3)
        while len(wrap_address(address)) < 3:
            address += next(extras)
        if len(wrap_address(address)) == 3:
            return address
    return address


def make_address(rng: random.Random, region_prefix: str, lines: int | None = None) -> str:
    """An address that starts with ``region_prefix`` (province+city+county) and wraps to
    ``lines`` printed lines (1–3; any count up to 3 when None). A region prefix too long for one
    line gives the shortest address it can."""
    if lines == 1:
        return _one_line(rng, region_prefix)
    if lines == 3:
        return _three_lines(rng, region_prefix)
    for _ in range(40):
        address = region_prefix + _detail(rng)
        count = len(wrap_address(address))
        if count <= MAX_LINES and (lines is None or count == lines):
            return address
    return region_prefix + f"{rng.choice(ROAD_STEMS)}路{rng.randint(1, 99)}号"

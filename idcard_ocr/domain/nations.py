"""The 56 officially recognised nationalities (民族), as printed after 民族 on the card.

The card prints the short name without the trailing 族 (``汉``, ``维吾尔``), and so does the API.
Order follows the GB/T 3304 code order (汉 01 … 高山 23 … 基诺 56). Cards for people of undetermined
nationality or naturalised citizens may print other words (e.g. ``穿青人``, ``入籍``); those are
not in this list and :func:`is_nation` refuses them.
"""

from __future__ import annotations

NATIONS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

_NATION_SET = frozenset(NATIONS)

# Approximate population in thousands, 2020 national census (rounded); only the proportions
# matter. Used to draw realistic nationalities for synthetic cards.
_POPULATION_THOUSANDS: dict[str, float] = {
    "汉": 1_286_311, "蒙古": 6_290, "回": 11_377, "藏": 7_061, "维吾尔": 11_775,
    "苗": 11_067, "彝": 9_830, "壮": 19_569, "布依": 3_577, "朝鲜": 1_702,
    "满": 10_424, "侗": 3_496, "瑶": 3_309, "白": 2_092, "土家": 9_588,
    "哈尼": 1_733, "哈萨克": 1_563, "傣": 1_330, "黎": 1_603, "傈僳": 763,
    "佤": 431, "畲": 747, "高山": 3.5, "拉祜": 500, "水": 496,
    "东乡": 775, "纳西": 324, "景颇": 160, "柯尔克孜": 205, "土": 282,
    "达斡尔": 132, "仫佬": 278, "羌": 313, "布朗": 127, "撒拉": 165,
    "毛南": 124, "仡佬": 677, "锡伯": 191, "阿昌": 44, "普米": 45,
    "塔吉克": 51, "怒": 37, "乌孜别克": 12.7, "俄罗斯": 16.1, "鄂温克": 34.6,
    "德昂": 22.4, "保安": 24.4, "裕固": 14.7, "京": 33.1, "塔塔尔": 3.5,
    "独龙": 7.3, "鄂伦春": 9.2, "赫哲": 5.4, "门巴": 11.1, "珞巴": 4.2,
    "基诺": 26.0,
}  # fmt: skip

_TOTAL = sum(_POPULATION_THOUSANDS.values())

# Share of the population for each nationality; the values sum to 1 (汉 about 0.91).
NATION_WEIGHTS: dict[str, float] = {n: _POPULATION_THOUSANDS[n] / _TOTAL for n in NATIONS}


def is_nation(s: str) -> bool:
    """True when ``s`` is exactly one of the 56 names as printed (no trailing 族, no spaces)."""
    return s in _NATION_SET

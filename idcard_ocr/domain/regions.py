"""China's administrative divisions by six-digit code (bundled from cpca 0.5.5, see data/NOTICE).

Codes are ``PPCCXX``: province ``PP0000``, prefecture ``PPCC00``, county-level ``PPCCXX``.
Some prefecture rows are placeholders rather than places (``市辖区`` under the municipalities,
``县``, ``省直辖县级行政区划``), and old ``PPCC01`` rows named ``市辖区`` stand for a city's
former urban core.

Old cards carry codes that no longer exist: a number keeps the region where it was first issued,
even after that county is merged, renamed or moved to another prefecture (and 重庆 numbers
issued before 1997 begin with 51, 海南 numbers before 1988 with 44). The recogniser should
therefore require only the two-digit province prefix of a number to be known
(:func:`province_prefixes`), never the full code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

# Rows that hold a level in the code but are not a place name to print in an address.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Prefixes of divisions whose residents do not hold mainland resident ID cards.
_NOT_MAINLAND = frozenset({"71", "81", "82"})

# Suffixes stripped, longest first, to get the short form of a province name (广西, 新疆, 北京).
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    text = resources.files("idcard_ocr.domain").joinpath("data/regions.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def region_name(code6: str) -> str | None:
    """The name of the division itself (``330106`` -> ``西湖区``), or None if the code is unknown."""
    return _regions().get(code6)


def province_of(code6: str) -> str | None:
    """Full name of the province of a code (``330106`` -> ``浙江省``), from its first two digits."""
    return province_prefixes().get(code6[:2]) if len(code6) == 6 else None


def _printable(code6: str) -> str:
    name = _regions().get(code6, "")
    return "" if name in _PLACEHOLDERS else name


def region_parts(code6: str) -> tuple[str, str, str] | None:
    """(province, city, county) names of a known code, as an address would start.

    ``city`` is ``""`` where there is no printable city level (the districts of 北京, 天津, 上海,
    重庆, and counties governed directly by a province such as 仙桃市); ``county`` is ``""`` for
    a province or prefecture code. ``330106`` -> ``("浙江省", "杭州市", "西湖区")``,
    ``110105`` -> ``("北京市", "", "朝阳区")``. None if the code is unknown.
    """
    if code6 not in _regions():
        return None
    province = _regions().get(code6[:2] + "0000", "")
    if code6.endswith("0000"):
        return province, "", ""
    city = _printable(code6[:4] + "00")
    county = "" if code6.endswith("00") else _printable(code6)
    return province, city, county


@lru_cache(maxsize=1)
def _counties() -> tuple[str, ...]:
    regions = _regions()
    has_children = {code[:4] for code in regions if not code.endswith("00")}
    chosen = []
    for code, name in regions.items():
        if code[:2] in _NOT_MAINLAND or name in _PLACEHOLDERS or code.endswith("0000"):
            continue
        # A prefecture with no counties under it (东莞市, 中山市, 嘉峪关市) is its own county level.
        if not code.endswith("00") or code[:4] not in has_children:
            chosen.append(code)
    return tuple(chosen)


def counties() -> list[str]:
    """Every mainland county-level code6 that names a real place, sorted.

    Includes prefecture-level cities without counties (``441900`` 东莞市) and excludes
    placeholder rows (``市辖区``) and 台湾, 香港, 澳门.
    """
    return list(_counties())


@lru_cache(maxsize=1)
def _province_prefixes() -> dict[str, str]:
    return {code[:2]: name for code, name in _regions().items() if code.endswith("0000")}


def province_prefixes() -> dict[str, str]:
    """Two-digit prefix -> full province name (``"33"`` -> ``"浙江省"``), all 34 provinces."""
    return dict(_province_prefixes())


def province_short_name(province: str) -> str:
    """The short form of a full province name: ``广西壮族自治区`` -> ``广西``, ``北京市`` -> ``北京``."""
    for suffix in _PROVINCE_SUFFIXES:
        if province.endswith(suffix) and len(province) > len(suffix):
            return province[: -len(suffix)]
    return province


def address_province_matches(address: str, code6: str) -> bool:
    """True when the address starts with the province of the code, in full or short form.

    Accepts ``浙江省…`` and ``浙江…`` for 33, ``北京市…``/``北京…`` for 11, ``内蒙古自治区…``/``内蒙古…``
    for 15. Spaces and line breaks in the address are ignored. A mismatch is not proof of a
    misread: the number keeps the region of first issue while the address follows the holder
    when they move, so treat False as a weak signal.
    """
    province = province_of(code6)
    if province is None:
        return False
    compact = "".join(address.split())
    return compact.startswith(province_short_name(province))

"""Region text for synthetic cards: the address prefix and the issuing authority of a county code."""

from __future__ import annotations

import random

from idcard_ocr.domain.regions import region_parts
from idcard_ocr.synth.addresses import TOWN_STEMS


def _parts(code6: str) -> tuple[str, str, str]:
    parts = region_parts(code6)  # placeholder levels such as 市辖区 come back as ""
    if parts is None or not (parts[1] or parts[2]):
        raise ValueError(f"not a county-level region code: {code6}")
    province, city, county = parts
    if not county:  # a city with no counties under it (东莞市, 中山市) is its own county level
        return province, "", city
    return parts


def region_prefix(code6: str) -> str:
    """How an address in county ``code6`` begins: ``浙江省杭州市西湖区`` / ``北京市朝阳区``."""
    province, city, county = _parts(code6)
    return province + city + county


def make_authority(rng: random.Random, code6: str) -> str:
    """A plausible issuing authority for county ``code6``, as printed after 签发机关.

    Districts are served by a branch of the city bureau (``杭州市公安局西湖分局``); counties and
    county-level cities by their own bureau (``桐庐县公安局``); some cards name a police station.
    """
    province, city, county = _parts(code6)
    if county.endswith("区") and len(county) >= 3:
        bureau = (city or province) + "公安局"
        authority = bureau + county[:-1] + "分局"
    else:
        authority = county + "公安局"
    if rng.random() < 0.12:
        authority = county + "公安局" + rng.choice(TOWN_STEMS) + "派出所"
    return authority[:30] if len(authority) <= 30 else county + "公安局"

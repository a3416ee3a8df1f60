"""Issuing authority (签发机关) printed on the back of the card.

Cards are issued by a county-level public security bureau or one of its branches, e.g.
``杭州市公安局余杭分局``, ``长兴县公安局``, ``北京市公安局朝阳分局``; some regions print the
police station, e.g. ``广州市公安局天河分局石牌派出所``. Provincial departments (``公安厅``) do not
issue cards, so a text ending in ``公安厅`` is refused as a misreading.
"""

from __future__ import annotations

import re

AUTHORITY_ENDINGS: tuple[str, ...] = ("公安局", "分局", "派出所")
_MIN_LEN, _MAX_LEN = 5, 30
# CJK Unified Ideographs, Extension A and 〇 (used in a few place names); nothing else.
_CHINESE_ONLY = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff]+")


def is_valid_authority(s: str) -> bool:
    """True when ``s`` is 5-30 Chinese characters and ends in 公安局, 分局 or 派出所."""
    return (
        _MIN_LEN <= len(s) <= _MAX_LEN
        and _CHINESE_ONLY.fullmatch(s) is not None
        and s.endswith(AUTHORITY_ENDINGS)
    )

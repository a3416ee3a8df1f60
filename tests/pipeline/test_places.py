"""Place names checked against the division table: corrected only with the recogniser's support."""

from __future__ import annotations

import math
import random

import pytest

from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.places import (
    MAX_PLACE_FIXES,
    MIN_PLACE_SUPPORT,
    PLACE_AMBIGUITY,
    address_prefixes,
    bureau_places,
    check_address,
    check_authority,
    snap_place,
    without_trailing_marks,
)


def reading(text: str, alternatives: dict[int, list[tuple[str, float]]] | None = None,
            p: float = 0.95) -> LineReading:
    """A confident reading of ``text`` with runner-up candidates at some positions."""
    alternatives = alternatives or {}
    cands = tuple(((c, p), *alternatives.get(i, [])) for i, c in enumerate(text))
    return LineReading(text, p, cands)


def test_tables_hold_real_address_beginnings_and_bureau_places() -> None:
    assert {"浙江省杭州市西湖区", "北京市朝阳区", "四川省广安市华蓥市", "广东省东莞市"} <= address_prefixes()
    assert {"杭州市", "宣威市", "长兴县", "北京市", "库伦旗"} <= bureau_places()


def test_a_real_address_is_known_and_kept_as_read() -> None:
    checked = check_address([reading("住址浙江省杭州市西湖区文二"), reading("路108号")])
    assert checked.text == "浙江省杭州市西湖区文二路108号"
    assert checked.known
    assert len(checked.confidences) == len(checked.text)


def test_specks_read_as_marks_after_the_address_are_dropped() -> None:
    sure = reading("12组23号")
    marks = (("。", 0.2),), (("…", 0.1),)
    trimmed = without_trailing_marks(LineReading("12组23号。…", 0.5, sure.candidates + marks))
    assert trimmed.text == "12组23号"
    assert trimmed.confidence == pytest.approx(0.95)
    assert len(trimmed.candidates) == len(trimmed.text)
    assert without_trailing_marks(reading("东路26号.,")).text == "东路26号"
    assert without_trailing_marks(reading("文二路3-2号")).text == "文二路3-2号"
    assert without_trailing_marks(reading(".,")).text == ""


def test_a_misread_county_is_put_right_only_with_support() -> None:
    # 华莹市 is no place; 四川省广安市华蓥市 is, and the recogniser saw 蓥 at that position.
    supported = check_address([reading("四川省广安市华莹市柳林街道", {7: [("蓥", 0.3)]})])
    assert supported.text == "四川省广安市华蓥市柳林街道"
    assert supported.known
    assert supported.confidences[7] == 0.3  # vouched for only as far as the recogniser saw it
    unsupported = check_address([reading("四川省广安市华莹市柳林街道")])
    assert unsupported.text == "四川省广安市华莹市柳林街道"
    assert not unsupported.known


def test_an_address_whose_county_level_was_lost_is_unknown() -> None:
    assert not check_address([reading("陕西省咸阳市永寿巷304号")]).known
    assert not check_address([reading("广州市天河区体育西路")]).known  # the province line lost


def test_authority_place_and_branch_are_checked() -> None:
    assert check_authority(reading("签发机关杭州市公安局西湖分局")).text == "杭州市公安局西湖分局"
    assert check_authority(reading("杭州市公安局西湖分局")).known
    assert check_authority(reading("长兴县公安局")).known
    fixed = check_authority(reading("宜威市公安局", {0: [("宣", 0.2)]}))
    assert (fixed.text, fixed.known) == ("宣威市公安局", True)
    # No support for 宣 (only a weak 城 in the second place): 宜城市 is real but not what was seen.
    weak = check_authority(reading("宜威市公安局", {1: [("城", 0.002)]}))
    assert (weak.text, weak.known) == ("宜威市公安局", False)
    # A branch named after no district (a character dropped from 淇滨) is not vouched for.
    assert not check_authority(reading("鹤壁市公安局淇分局")).known
    assert check_authority(reading("鹤壁市公安局淇滨分局")).known
    # A misread bureau word leaves no place to check.
    assert not check_authority(reading("天津市山委局武清分局")).known


def test_a_misread_branch_is_put_right_only_to_a_district_of_its_own_city() -> None:
    # 控桐 is no district; 崆峒 is 平凉市's, and the recogniser saw 崆 and 峒 there.
    fixed = check_authority(reading("平凉市公安局控桐分局", {6: [("崆", 0.37)], 7: [("峒", 0.03)]}))
    assert (fixed.text, fixed.known) == ("平凉市公安局崆峒分局", True)
    assert fixed.confidences[7] == 0.03  # vouched for only as far as the recogniser saw it
    assert not check_authority(reading("平凉市公安局控桐分局")).known  # no support: as read
    # 西湖 is a district of 杭州市, not of 平凉市: not a correction the city allows.
    other = check_authority(reading("平凉市公安局西潮分局", {7: [("湖", 0.3)]}))
    assert (other.text, other.known) == ("平凉市公安局西潮分局", False)


def test_label_ink_before_the_value_is_dropped() -> None:
    # The label's right half read into the crop: the address must begin with its province.
    checked = check_address([reading("主址广东省广州市天河区体育西"), reading("路1号")])
    assert (checked.text, checked.known) == ("广东省广州市天河区体育西路1号", True)
    assert check_authority(reading("关宣威市公安局")).text == "宣威市公安局"
    # A first character that is no label ink is not dropped to reach some other place:
    # 沙县 is real, but 氏沙县 is a misread 长沙县, not 沙县.
    misread = check_authority(reading("氏沙县公安局"))
    assert (misread.text, misread.known) == ("氏沙县公安局", False)


def _snap_by_comparing_every_name(text: str, cands: list[tuple[tuple[str, float], ...]],
                                  names: frozenset[str]) -> str | None:
    """``snap_place`` as a plain comparison with every name (its definition, without the index)."""
    exact = [n for n in names if text.startswith(n)]
    if exact:
        return max(exact, key=len)
    found = []
    for name in names:
        if len(name) > len(text):
            continue
        diffs = [i for i, c in enumerate(name) if c != text[i]]
        supports = [max((p for c, p in cands[i] if c == name[i]), default=0.0) for i in diffs]
        if len(diffs) <= MAX_PLACE_FIXES and all(s >= MIN_PLACE_SUPPORT for s in supports):
            found.append((sum(math.log(s) - math.log(cands[i][0][1]) for i, s in zip(diffs, supports,
                                                                                   strict=True)), name))
    found.sort(reverse=True)
    if not found or (len(found) > 1 and found[0][0] - found[1][0] < PLACE_AMBIGUITY):
        return None
    return found[0][1]


def test_the_place_index_finds_what_comparing_every_name_finds() -> None:
    # Real address beginnings with up to three characters misread, the true one among the
    # candidates at some of them (with more or less support), and text after the place.
    rng = random.Random(7)
    names = sorted(address_prefixes())
    alphabet = sorted({c for n in names for c in n})
    snapped = 0
    for _ in range(60):
        true = rng.choice(names)
        text = list(true + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))))
        for i in rng.sample(range(len(true)), rng.randint(0, 3)):
            text[i] = rng.choice(alphabet)
        cands = [((c, 0.6), (true[i] if i < len(true) else c, rng.choice([0.005, 0.05, 0.3])))
                 for i, c in enumerate(text)]
        expected = _snap_by_comparing_every_name("".join(text), cands, address_prefixes())
        assert snap_place("".join(text), cands, address_prefixes()) == expected
        snapped += expected is not None
    assert snapped > 20  # the comparison was made on corrections, not only on misses


def test_label_ink_read_before_the_value_says_its_start_is_on_the_crop() -> None:
    assert check_authority(reading("关宣威市公安局")).after_label
    assert check_authority(reading("签发机关杭州市公安局西湖分局")).after_label
    assert not check_authority(reading("宣威市公安局")).after_label
    assert not check_authority(reading("氏沙县公安局")).after_label  # no label's look: a misread
    # An address stays in doubt: it has more ways to go wrong than an authority.
    assert not check_address([reading("址广东省广州市天河区体育西路1号")]).after_label

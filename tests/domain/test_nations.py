"""The 56 nationalities and their population weights."""

import pytest

from idcard_ocr.domain.nations import NATION_WEIGHTS, NATIONS, is_nation


def test_there_are_56_distinct_nations_han_first():
    assert len(NATIONS) == 56
    assert len(set(NATIONS)) == 56
    assert NATIONS[0] == "汉"


@pytest.mark.parametrize(
    "name", ["汉", "维吾尔", "哈萨克", "柯尔克孜", "鄂温克", "塔塔尔", "高山", "基诺", "蒙古", "土家"]
)
def test_spot_names_are_nations(name):
    assert is_nation(name)


@pytest.mark.parametrize("name", ["汉族", "维吾尔族", "", "穿青人", "汉 ", "蒙", "维吾"])
def test_names_not_as_printed_are_refused(name):
    assert not is_nation(name)


def test_names_carry_no_trailing_zu_except_where_part_of_the_name():
    assert all(not n.endswith("族") for n in NATIONS)


def test_weights_cover_every_nation_and_sum_to_one():
    assert set(NATION_WEIGHTS) == set(NATIONS)
    assert sum(NATION_WEIGHTS.values()) == pytest.approx(1.0)
    assert all(w > 0 for w in NATION_WEIGHTS.values())


def test_han_weight_is_about_91_percent_and_zhuang_is_second():
    assert NATION_WEIGHTS["汉"] == pytest.approx(0.91, abs=0.01)
    second = sorted(NATION_WEIGHTS, key=NATION_WEIGHTS.__getitem__, reverse=True)[1]
    assert second == "壮"

"""Issuing authority shapes."""

import pytest

from idcard_ocr.domain.authority import is_valid_authority


@pytest.mark.parametrize(
    "text",
    [
        "杭州市公安局余杭分局",
        "长兴县公安局",
        "北京市公安局朝阳分局",
        "广州市公安局天河分局石牌派出所",
        "乌鲁木齐市公安局天山区分局",
        "和县公安局",
        "新疆生产建设兵团第一师公安局",
    ],
)
def test_real_authority_shapes_are_accepted(text):
    assert is_valid_authority(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "公安局",
        "县公安局",
        "浙江省公安厅",
        "杭州市公安局余杭",
        "杭州市公安局 余杭分局",
        "杭州市公安局余杭分局.",
        "Hangzhou公安局",
        "杭州市公安局1分局",
        "杭州市公安局余杭分局\n",
        "杭" * 28 + "分局派出所",
        "签发机关杭州市公安局余杭分局X",
    ],
)
def test_misreadings_are_refused(text):
    assert not is_valid_authority(text)


def test_length_bounds_are_5_and_30():
    assert is_valid_authority("杭" * 2 + "公安局")
    assert not is_valid_authority("杭" + "公安局")
    assert is_valid_authority("杭" * 27 + "公安局")
    assert not is_valid_authority("杭" * 28 + "公安局")

"""Region codes, province names and the address/province check."""

import json
from pathlib import Path

import pytest

from idcard_ocr.domain.regions import (
    address_province_matches,
    counties,
    province_of,
    province_prefixes,
    region_name,
    region_parts,
)


def test_region_names_of_known_codes():
    assert region_name("330000") == "浙江省"
    assert region_name("330100") == "杭州市"
    assert region_name("330106") == "西湖区"
    assert region_name("110105") == "朝阳区"
    assert region_name("999999") is None
    assert region_name("3301") is None


def test_province_of_uses_only_the_prefix_so_retired_codes_still_resolve():
    assert province_of("330106") == "浙江省"
    assert province_of("650102") == "新疆维吾尔自治区"
    # 330104 (江干区) was abolished in 2021 but still appears on cards.
    assert province_of("330104") == "浙江省"
    assert province_of("990101") is None
    assert province_of("33") is None


def test_34_provinces():
    prefixes = province_prefixes()
    assert len(prefixes) == 34
    assert prefixes["11"] == "北京市"
    assert prefixes["15"] == "内蒙古自治区"
    assert prefixes["45"] == "广西壮族自治区"
    assert prefixes["65"] == "新疆维吾尔自治区"


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("330106", ("浙江省", "杭州市", "西湖区")),
        ("110105", ("北京市", "", "朝阳区")),
        ("500230", ("重庆市", "", "丰都县")),
        ("429004", ("湖北省", "", "仙桃市")),
        ("441900", ("广东省", "东莞市", "")),
        ("330100", ("浙江省", "杭州市", "")),
        ("330000", ("浙江省", "", "")),
        ("451302", ("广西壮族自治区", "来宾市", "兴宾区")),
    ],
)
def test_region_parts_build_the_start_of_an_address(code, parts):
    assert region_parts(code) == parts


def test_region_parts_of_unknown_code_is_none():
    assert region_parts("999999") is None


def test_counties_are_real_mainland_places():
    codes = counties()
    assert len(codes) > 2800
    assert codes == sorted(codes)
    assert "330106" in codes and "441900" in codes and "429004" in codes
    assert "110100" not in codes and "330000" not in codes
    assert not any(c[:2] in {"71", "81", "82"} for c in codes)
    for code in codes:
        province, _city, county = region_parts(code)
        assert province and (county or code.endswith("00"))
        assert region_name(code) not in {"市辖区", "县", "省直辖县级行政区划"}


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("浙江省杭州市西湖区文二路108号", "330106"),
        ("浙江杭州市西湖区文二路108号", "330106"),
        ("北京市朝阳区建国路1号", "110105"),
        ("北京朝阳区建国路1号", "110105"),
        ("内蒙古自治区呼和浩特市新城区", "150102"),
        ("内蒙古呼和浩特市新城区", "150102"),
        ("广西壮族自治区南宁市青秀区", "450103"),
        ("广西南宁市青秀区", "450103"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "650102"),
        ("新疆乌鲁木齐市天山区", "650102"),
        ("宁夏回族自治区银川市兴庆区", "640104"),
        ("重庆市 万州区\n沙龙路", "500101"),
    ],
)
def test_address_matches_its_province_in_full_or_short_form(address, code):
    assert address_province_matches(address, code)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("江苏省南京市玄武区", "330106"),
        ("陕西省西安市", "140105"),
        ("河南省郑州市", "460105"),
        ("", "330106"),
        ("浙江省杭州市", "990101"),
        ("杭州市西湖区", "330106"),
    ],
)
def test_address_in_another_province_does_not_match(address, code):
    assert not address_province_matches(address, code)


def test_bundled_file_is_compact_six_digit_codes():
    path = Path(__file__).resolve().parents[2] / "idcard_ocr" / "domain" / "data" / "regions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert all(len(k) == 6 and k.isdigit() and v for k, v in data.items())
    assert (path.parent / "NOTICE").read_text(encoding="utf-8").count("Copyright (c) 2018 QinYuan Du") == 1

"""Field cleaners and the keyword parser, on hand-written OCR text."""

from __future__ import annotations

from idcard_ocr.pipeline.parse import (
    OcrLine,
    clean_address,
    clean_authority,
    clean_name,
    clean_nation,
    clean_number,
    normalize_timelimit,
    parse_birth_text,
    parse_ocr_lines,
    strip_label,
)
from idcard_ocr.pipeline.types import BACK_FIELDS, FRONT_FIELDS


def test_a_stray_label_or_its_tail_is_removed() -> None:
    assert strip_label("姓名赵宁宁", "姓名") == "赵宁宁"
    assert strip_label("名赵宁宁", "姓名") == "赵宁宁"
    assert strip_label("赵宁宁", "姓名") == "赵宁宁"
    assert strip_label("住 址浙江省", "住址") == "浙江省"


def test_names_keep_chinese_characters_and_the_middle_dot() -> None:
    assert clean_name("赵 宁宁") == "赵宁宁"
    assert clean_name("阿依古丽•买买提") == "阿依古丽·买买提"
    assert clean_name("名 李强.") == "李强"


def test_nation_drops_label_and_trailing_zu() -> None:
    assert clean_nation("民族 汉") == "汉"
    assert clean_nation("蒙古族") == "蒙古"
    assert clean_nation("族回") == "回"


def test_address_lines_are_joined_without_spaces() -> None:
    lines = ["住址 浙江省杭州市西湖区文二", "路108号"]
    assert clean_address(lines) == "浙江省杭州市西湖区文二路108号"


def test_number_is_ascii_digits_and_upper_case_x() -> None:
    assert clean_number("11010119900101123x") == "11010119900101123X"
    assert clean_number("１１0101 19900101 1234") == "110101199001011234"


def test_birth_is_written_without_leading_zeros() -> None:
    assert parse_birth_text("1989年12月1日") == ("1989", "12", "1")
    assert parse_birth_text("出生 2001 年 01 月 09 日") == ("2001", "1", "9")
    assert parse_birth_text("1989年12") is None


def test_timelimit_forms() -> None:
    assert normalize_timelimit("2019.08.06-2039.08.06") == "20190806-20390806"
    assert normalize_timelimit("2019.08.06-长期") == "20190806-长期"
    assert normalize_timelimit("有效期限 2019.08.06 - 2039.08.06") == "20190806-20390806"
    assert normalize_timelimit("20190806 20390806") == "20190806-20390806"
    assert normalize_timelimit("2019.08") == "201908"  # unrecognisable shapes stay visible


def test_authority_keeps_only_chinese() -> None:
    assert clean_authority("签发机关 杭州市公安局余杭分局") == "杭州市公安局余杭分局"


def test_keyword_parser_reads_a_front_from_generic_ocr_lines() -> None:
    lines = [
        OcrLine("公民身份号码", 40, 460), OcrLine("330106198912014015", 270, 455),
        OcrLine("姓名", 40, 70), OcrLine("赵宁宁", 160, 66),
        OcrLine("性别男", 40, 140), OcrLine("民族汉", 290, 141),
        OcrLine("出生1989年12月1日", 40, 210),
        OcrLine("住址浙江省杭州市西湖区文二", 40, 280), OcrLine("路108号", 160, 328),
    ]
    side, info = parse_ocr_lines(lines)
    assert side == "front"
    assert tuple(info) == FRONT_FIELDS
    assert info == {"name": "赵宁宁", "number": "330106198912014015", "sex": "男", "nation": "汉",
                    "year": "1989", "month": "12", "day": "1", "address": "浙江省杭州市西湖区文二路108号"}


def test_keyword_parser_reads_a_back() -> None:
    lines = [OcrLine("中华人民共和国", 300, 60), OcrLine("居民身份证", 300, 140),
             OcrLine("签发机关", 170, 390), OcrLine("杭州市公安局余杭分局", 340, 386),
             OcrLine("有效期限", 170, 460), OcrLine("2019.08.06-2039.08.06", 340, 456)]
    side, info = parse_ocr_lines(lines)
    assert side == "back"
    assert tuple(info) == BACK_FIELDS
    assert info == {"authority": "杭州市公安局余杭分局", "timelimit": "20190806-20390806"}


def test_keyword_parser_leaves_missing_fields_empty() -> None:
    side, info = parse_ocr_lines([OcrLine("今日特价 牛奶 12.5元", 10, 10)])
    assert side == "front"
    assert set(info.values()) == {""}

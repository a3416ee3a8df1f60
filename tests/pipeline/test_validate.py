"""Domain-backed corrections and validity, on hand-written recogniser readings."""

from __future__ import annotations

from datetime import date

from idcard_ocr.domain.id_number import check_char, make_number, parse_number
from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.validate import (
    back_validity,
    choose_birth,
    choose_nation,
    choose_sex,
    correct_number,
    correct_timelimit,
    front_validity,
    simplify,
)

TODAY = date(2026, 11, 28)
NUMBER = "330106198912014015"  # valid (check character 5), male, born 1989-12-01


def reading(text: str, alternatives: dict[int, list[tuple[str, float]]] | None = None,
            confidence: float = 0.99) -> LineReading:
    """A reading of ``text``; position i's runners-up come from ``alternatives[i]``."""
    alternatives = alternatives or {}
    candidates = []
    for i, char in enumerate(text):
        runners = alternatives.get(i, [])
        top = 1.0 - sum(p for _, p in runners) if runners else confidence
        candidates.append(((char, top), *runners))
    positions = tuple((i + 0.5) / len(text) for i in range(len(text)))
    return LineReading(text, confidence, tuple(candidates), positions)


def test_a_valid_number_is_kept() -> None:
    assert correct_number(reading(NUMBER), TODAY) == NUMBER


def test_one_misread_digit_is_fixed_when_a_candidate_supports_the_check_character() -> None:
    misread = NUMBER[:10] + "8" + NUMBER[11:]  # month 12 read as 18
    fixed = correct_number(reading(misread, {10: [("1", 0.3), ("7", 0.05)]}), TODAY)
    assert fixed == NUMBER


def test_a_misread_digit_without_a_supporting_candidate_stays_as_read() -> None:
    misread = NUMBER[:10] + "8" + NUMBER[11:]
    # The only runner-up does not make the number valid: nothing is invented.
    assert correct_number(reading(misread, {10: [("7", 0.2)]}), TODAY) == misread


def test_the_check_character_x_is_upper_case() -> None:
    numbers = (make_number("110101", date(1990, 1, 1), seq) for seq in range(100))
    number = next(n for n in numbers if n.endswith("X"))
    lower = number[:17] + "x"
    assert correct_number(reading(lower), TODAY) == number.upper()


def test_two_misread_digits_are_fixed_only_from_candidates() -> None:
    misread = NUMBER[:3] + "7" + NUMBER[4:15] + "4" + NUMBER[16:]
    alts = {3: [("1", 0.2)], 15: [("0", 0.3)]}
    assert correct_number(reading(misread, alts), TODAY) == NUMBER


def test_sex_follows_the_number_when_the_crop_supports_it() -> None:
    facts = parse_number(NUMBER, TODAY)
    assert choose_sex(reading("女", {0: [("男", 0.2)]}), facts) == "男"
    # Without support the crop's own reading stands (validity will then say it disagrees).
    assert choose_sex(reading("女"), facts) == "女"
    assert choose_sex(None, facts) == ""
    assert choose_sex(reading("另", {0: [("男", 0.3)]}), None) == "男"


def test_nation_is_snapped_to_the_56_only_with_support() -> None:
    assert choose_nation(reading("汉")) == "汉"
    assert choose_nation(reading("漢")) == "汉"  # traditional form the model sometimes prefers
    assert choose_nation(reading("维吾尔族")) == "维吾尔"
    assert choose_nation(reading("维吴尔", {1: [("吾", 0.2)]})) == "维吾尔"
    assert choose_nation(reading("民族回")) == "回"
    # The label's last character misread into the crop: 土家 explains more than 土 alone.
    assert choose_nation(reading("埃土家", {2: [("冢", 0.05)]})) == "土家"
    assert choose_nation(reading("埃土")) == "土"
    # No nation supported: empty rather than a non-nation the API could not flag as invalid.
    assert choose_nation(reading("火星")) == ""
    assert choose_nation(reading("森")) == ""


def test_birth_is_cross_checked_with_the_number() -> None:
    facts = parse_number(NUMBER, TODAY)
    assert choose_birth(reading("1989年12月1日"), facts) == ("1989", "12", "1")
    # "1988" with an 9 runner-up at the last year digit: the number's date wins.
    assert choose_birth(reading("1988年12月1日", {3: [("9", 0.1)]}), facts) == ("1989", "12", "1")
    # No candidate supports the number's date: the reading stands.
    assert choose_birth(reading("1988年12月1日"), facts) == ("1988", "12", "1")
    # A month washed out by glare (1989 _ 1日) or a merged digit: the year and what is left agree
    # with the number, which prints the same date.
    assert choose_birth(reading("19891日"), facts) == ("1989", "12", "1")
    assert choose_birth(reading("1989年2月1日"), facts) == ("1989", "12", "1")
    # A digit the number does not have, or the year unread: no help from the number.
    assert choose_birth(reading("1989年12月7日"), facts) == ("1989", "12", "7")
    assert choose_birth(reading("12月1日"), facts) is None


def test_timelimit_end_is_set_from_candidates_and_term_rules() -> None:
    text = "2019.08.06-2039.08.08"
    fixed = correct_timelimit(reading(text, {20: [("6", 0.2)]}), "20190806-20390808")
    assert fixed == "20190806-20390806"
    assert correct_timelimit(reading(text), "20190806-20390808") == "20190806-20390808"


def test_a_term_with_many_unsure_digits_is_not_set_right() -> None:
    # Blur: half its digits unsure. Some term of 5, 10 or 20 years is always within reach.
    text = "2019.08.08-2099.08.08"
    unsure = {i: [("3", 0.3)] for i in (2, 3, 8, 9, 12, 13, 17, 20)}
    assert correct_timelimit(reading(text, unsure), "20190808-20990808") == "20190808-20990808"
    assert correct_timelimit(reading(text, {13: [("3", 0.3)]}), "20190808-20990808") == "20190808-20390808"


def test_traditional_forms_are_simplified() -> None:
    assert simplify(reading("李強")) == "李强"


def test_front_validity() -> None:
    info = {"name": "赵宁宁", "number": NUMBER, "sex": "男", "nation": "汉", "year": "1989",
            "month": "12", "day": "1", "address": "浙江省杭州市西湖区文二路108号"}
    all_valid = dict.fromkeys(("birthday", "number", "address", "sex", "name"), True)
    assert front_validity(info, TODAY) == all_valid
    wrong = {**info, "sex": "女", "day": "2", "address": "江苏省南京市玄武区", "number": NUMBER[:-1] + "1"}
    assert front_validity(wrong, TODAY) == {"birthday": True, "number": False, "address": True,
                                            "sex": True, "name": True}
    # With a valid number, sex and birthday must agree with it, and when they were read and do not,
    # the number is not vouched for either (either may be the misread one). The address need not:
    # the number keeps the province of first registration while the holder moves (a Jiangsu
    # address on a Zhejiang number is a real card).
    disagree = {**info, "sex": "女", "day": "2", "address": "江苏省南京市玄武区"}
    assert front_validity(disagree, TODAY) == {"birthday": False, "number": False, "address": True,
                                               "sex": False, "name": True}
    assert front_validity({**info, "day": "2"}, TODAY) == {**all_valid, "birthday": False, "number": False}
    assert front_validity({**info, "sex": "女"}, TODAY) == {**all_valid, "sex": False, "number": False}
    # Not read is no disagreement.
    unread = {**info, "sex": "", "day": ""}
    assert front_validity(unread, TODAY) == {**all_valid, "birthday": False, "sex": False}
    # An address is valid only when it begins with a province-level name: label ink leaking in
    # (主址…), a lost first line or a cut-off start all fail.
    for bad in ("主址广东省广州市天河区", "广州市天河区体育西路1号", "省杭州市西湖区文二路", "浙江省杭"):
        assert not front_validity({**info, "address": bad}, TODAY)["address"], bad
    # An address that stops short of its last unit: its tail was lost.
    for cut in ("浙江省杭州市西湖区文二路1", "浙江省杭州市西湖区文二路108", "浙江省杭州市西湖区文二路10B"):
        assert not front_validity({**info, "address": cut}, TODAY)["address"], cut
    for good in ("北京市海淀区中关村大街1号", "浙江省杭州市西湖区文二路108号3幢2单元",
                 "内蒙古自治区呼和浩特市新城区", "广西壮族自治区南宁市青秀区"):
        assert front_validity({**info, "address": good}, TODAY)["address"], good
    assert not any(front_validity(dict.fromkeys(info, ""), TODAY).values())


def test_back_validity() -> None:
    assert back_validity({"authority": "杭州市公安局余杭分局", "timelimit": "20190806-20390806"}, TODAY) == {
        "authority": True, "timelimit": True}
    assert back_validity({"authority": "杭州市", "timelimit": "20190806-20390807"}, TODAY) == {
        "authority": False, "timelimit": False}
    assert back_validity({"authority": "", "timelimit": "20190806-长期"}, TODAY)["timelimit"]


def test_no_fix_when_many_digits_are_unsure() -> None:
    misread = NUMBER[:10] + "8" + NUMBER[11:]
    unsure = {i: [("7", 0.3)] for i in (1, 4, 7, 12, 14)}
    unsure[10] = [("1", 0.3)]
    # Six unsure digits: some valid number is always within reach, so nothing is changed.
    assert correct_number(reading(misread, unsure), TODAY) == misread


def test_no_fix_when_two_fixes_fit_equally_well() -> None:
    first16 = NUMBER[:16]
    sex_digit = "3"
    check = check_char(first16 + sex_digit)
    # A check character that fits another sex digit: changing either position gives a valid number.
    other_digit = next(d for d in "0123456789" if d != sex_digit and check_char(first16 + d) != check)
    read_check = check_char(first16 + other_digit)
    misread = first16 + sex_digit + read_check
    alts = {16: [(other_digit, 0.2)], 17: [(check, 0.2)]}
    assert correct_number(reading(misread, alts), TODAY) == misread
    # When one of the two is clearly likelier, it is taken.
    alts = {16: [(other_digit, 0.02)], 17: [(check, 0.4)]}
    assert correct_number(reading(misread, alts), TODAY) == first16 + sex_digit + check

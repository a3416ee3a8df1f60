"""Validity vouches for a value only when the reading was sure of it: no silent errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.fields import fields_of
from idcard_ocr.pipeline.read import CardReading, ReadLine

TODAY = date(2026, 12, 1)  # the checks are made as of this day


def line(text: str, p: float = 0.99, weak: dict[int, float] | None = None, cut: bool = False) -> ReadLine:
    """A reading of ``text`` at probability ``p``, some positions weaker."""
    weak = weak or {}
    cands = tuple(((c, weak.get(i, p)),) for i, c in enumerate(text))
    mean = sum(c[0][1] for c in cands) / len(cands)
    return ReadLine(LineReading(text, mean, cands), (150, 70, 300, 120), cut)


def back(authority: ReadLine, term: ReadLine) -> tuple[dict[str, str], dict[str, bool]]:
    term = replace(term, box=(150, 140, 500, 190))  # its own row
    reading = CardReading("back", {"authority": [authority], "timelimit": [term]})
    info, validity, _ = fields_of(reading, "back", TODAY)
    return info, validity


def front(name: ReadLine, address: list[ReadLine]) -> tuple[dict[str, str], dict[str, bool]]:
    # Each on its own row of the card, as printed (print read for two fields is vouched for by neither).
    address = [replace(a, box=(150, 250 + 45 * i, 540, 295 + 45 * i)) for i, a in enumerate(address)]
    reading = CardReading("front", {"name": [name], "address": address})
    info, validity, _ = fields_of(reading, "front", TODAY)
    return info, validity


def test_a_sure_name_and_address_are_valid_and_an_unsure_character_is_not() -> None:
    address = [line("浙江省杭州市西湖区文二"), line("路108号")]
    info, validity = front(line("赵宁宁"), address)
    assert (info["name"], info["address"]) == ("赵宁宁", "浙江省杭州市西湖区文二路108号")
    assert validity["name"] and validity["address"]
    # One character at 0.6: as often a look-alike as the right one.
    _, validity = front(line("赵宁宁", weak={1: 0.6}), [line("浙江省杭州市西湖区文二", weak={4: 0.4}),
                                                     line("路108号")])
    assert not validity["name"] and not validity["address"]


def test_a_name_cut_at_its_band_edge_is_not_vouched_for() -> None:
    _, validity = front(line("宁宁", cut=True), [line("浙江省杭州市西湖区文二路")])
    assert not validity["name"] and validity["address"]


def test_an_address_in_no_real_county_is_not_valid() -> None:
    info, validity = front(line("赵宁"), [line("陕西省咸阳市永寿巷304号")])
    assert info["address"] == "陕西省咸阳市永寿巷304号" and not validity["address"]


def test_authority_and_long_term_need_sure_readings() -> None:
    info, validity = back(line("签发机关宣威市公安局"), line("2026.05.05-长期"))
    assert info == {"authority": "宣威市公安局", "timelimit": "20260505-长期"}
    assert validity == {"authority": True, "timelimit": True}
    # A long term's start date has nothing to agree with: a 0.77 digit is not vouched for.
    _, validity = back(line("宣威市公安局", weak={0: 0.3}), line("2026.06.06-长期", weak={6: 0.77}))
    assert validity == {"authority": False, "timelimit": False}
    # A dated term cross-checks itself (end = start + 20 years), so a 0.77 digit may stand.
    _, validity = back(line("宣威市公安局"), line("2019.08.06-2039.08.06", weak={6: 0.77}))
    assert validity["timelimit"]


def test_an_address_missing_a_middle_line_is_not_vouched_for() -> None:
    first, last = line("浙江省杭州市西湖区文二"), line("路108号")
    _, validity = front(line("赵宁"), [first, last])
    assert validity["address"]
    # The line between them was not read: the two left still make a real, whole-looking address.
    lines = [replace(first, box=(150, 250, 540, 295)), replace(last, box=(150, 346, 540, 391))]
    reading = CardReading("front", {"name": [line("赵宁")], "address": lines})
    info, validity, _ = fields_of(reading, "front", TODAY)
    assert info["address"] == "浙江省杭州市西湖区文二路108号" and not validity["address"]

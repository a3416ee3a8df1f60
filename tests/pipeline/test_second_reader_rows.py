"""The second reader's rows when letter spacing splits a label (`姓 名`) and a value is printed a
little above its label row."""

from __future__ import annotations

from idcard_ocr.pipeline.engine import LineReading
from idcard_ocr.pipeline.free_read import fields_by_label, group_rows, without_spaces
from idcard_ocr.pipeline.read import ReadLine


def _piece(text: str, box: tuple[int, int, int, int]) -> ReadLine:
    centres = tuple((i + 0.5) / len(text) for i in range(len(text)))
    return ReadLine(LineReading(text, 0.99, tuple(((c, 0.99),) for c in text), centres), box)


def test_spaced_labels_and_a_value_above_its_label_row_are_assigned_right() -> None:
    spaced = LineReading("姓 名", 0.9, ((("姓", 0.99),), ((" ", 0.7),), (("名", 0.99),)), (0.2, 0.5, 0.8))
    assert without_spaces(spaced).text == "姓名"
    assert without_spaces(spaced).positions == (0.2, 0.8)
    # Pieces as the detector gives them when the nation is printed a little higher than its
    # label: its centre comes before the sex row's, and the value between them joins both.
    pieces = [_piece("姓名", (44, 85, 113, 119)), _piece("马诗", (144, 73, 221, 117)),
              _piece("达斡尔", (386, 139, 493, 187)), _piece("男", (161, 146, 204, 186)),
              _piece("民族", (284, 151, 359, 186)), _piece("性别", (39, 160, 113, 200)),
              _piece("出生1967年9月30日", (44, 219, 405, 263)),
              _piece("住址河南省驻马店市泌阳县白", (44, 298, 494, 342)),
              _piece("沙街道红旗村86号", (152, 345, 406, 387)),
              _piece("公民身份号码41172619670930341X", (39, 472, 798, 515))]
    rows = group_rows(pieces)
    found = {k: [line.reading.text for line in v] for k, v in fields_by_label(rows, "front").items()}
    assert found["name"] == ["马诗"]
    assert (found["sex"], found["nation"]) == (["男"], ["达斡尔"])
    assert found["address"] == ["河南省驻马店市泌阳县白", "沙街道红旗村86号"]

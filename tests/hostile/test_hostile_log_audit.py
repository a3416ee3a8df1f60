"""The whole-run log audit finds full ID numbers and listed literals, and nothing else."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.hostile.log_audit import PLUGIN_NAME, LogAudit, find_private, is_full_id_number, mask


def test_only_numbers_with_a_right_check_character_count_as_id_numbers() -> None:
    assert is_full_id_number("330106198912014015")
    assert is_full_id_number("11010519491231002X")
    assert not is_full_id_number("330106198912014010")  # the contract's sample: wrong check character


def test_scanner_flags_numbers_and_literals_but_not_task_numbers_or_masks() -> None:
    text = "\n".join(
        [
            "t1\tINFO idcard_ocr.api: taskNo=17959101211480000000 code=200",  # 20 digits
            "t2\tINFO idcard_ocr.api: number 3301**********4010 name 赵*",  # masked
            "t3\tWARNING x: read 11010519491231002X from the photo",
            "t4\tERROR y: 赵宁宁 ts=1555378976238 330106198912014010",
        ]
    )
    findings = find_private(text, ("赵宁宁", "330106198912014010"))
    assert [(f.line, f.where, f.what) for f in findings] == [
        (3, "t3", "1101**********002X"),
        (4, "t4", "赵**"),
        (4, "t4", "3301**********4010"),
    ]
    assert mask("330106198912014010") == "3301**********4010"


def test_audit_records_every_logger_and_names_the_test(tmp_path: Path) -> None:
    # An isolated logger tree, so that these deliberate leaks stay out of the session's own audit.
    root = logging.getLogger("audit-probe")
    root.propagate = False
    root.setLevel(logging.WARNING)
    audit = LogAudit(tmp_path / "records.txt", ("secret-literal-value",), root, "audit-probe.idcard_ocr")
    audit.start()
    try:
        audit.current_test = "tests/x.py::test_leaky"
        logging.getLogger("audit-probe.idcard_ocr.api").info("card 11010519491231002X")  # INFO opened
        logging.getLogger("audit-probe.library").warning("uses secret-literal-value")
        logging.getLogger("audit-probe.library").info("not emitted: the tree stays at WARNING")
    finally:
        findings = audit.stop()
    assert [(f.where, f.what) for f in findings] == [
        ("tests/x.py::test_leaky", "1101**********002X"),
        ("tests/x.py::test_leaky", "secr************alue"),
    ]


def test_the_audit_is_running_for_this_session(pytestconfig: pytest.Config) -> None:
    audit = pytestconfig.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(audit, LogAudit) and audit.path.name == "all-log-records.txt"
    assert audit.path.parent == pytestconfig._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    logging.getLogger("idcard_ocr.api").info("log audit heartbeat")
    assert audit.path.exists()

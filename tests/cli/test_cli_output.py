"""What each command prints, as the README's "Operating it" says: JSON from the storage commands,
a readable table from ``scan`` (JSON lines with ``--json``), plain-text usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from idcard_ocr.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_the_readme_says_which_output_is_json() -> None:
    assert "Every command prints JSON" not in README
    for claim in (
        "`accounts`, `service`, `usage`, `db` and `keys` print one JSON object on stdout",
        "`scan` prints a readable table",
        "with `--json`, one JSON object per file\n  and line",
        "plain-text usage message on stderr and exit code 2",
    ):
        assert claim in README, claim


@pytest.mark.models
def test_scan_prints_a_table_and_with_json_one_object_a_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.jpg")
    notes = tmp_path / "notes.jpg"
    notes.write_bytes(b"hello")
    table = run("scan", missing, str(notes))
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines() == [
        f"{missing}  code 400  参数错误: 无法读取文件",
        f"{notes}  code 400  照片格式不正确",
    ]
    as_json = run("scan", "--json", missing, str(notes))
    assert as_json.exit_code == 0, as_json.output
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        {"file": missing, "code": 400, "msg": "参数错误: 无法读取文件"},
        {"file": str(notes), "code": 400, "msg": "照片格式不正确"},
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("accounts", "create", "--balanse", "3"), "Did you mean '--balance'?"),
        (("acounts", "list"), "No such command 'acounts'"),
        (("scan",), "Missing argument 'FILE...'"),
    ],
)
def test_usage_errors_are_readable_text_with_exit_code_2(args: tuple[str, ...], words: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: ") and words in result.stderr
    assert "Traceback" not in result.stderr

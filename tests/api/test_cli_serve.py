"""``idcard-ocr demo``'s account and instructions, and the ``serve`` options."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from click.testing import CliRunner

from idcard_ocr.cli import main
from idcard_ocr.cli.serve import demo_account, demo_instructions
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import open_store


def test_demo_account_is_created_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    app_id, secret, created = demo_account(settings)
    assert created
    saved = tmp_path / "demo-account.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text()) == {"appId": app_id, "appSecret": secret}
    assert demo_account(settings) == (app_id, secret, False)
    store = open_store(settings)
    try:
        account = store.get_account(app_id)
        assert account is not None and account.balance == 1000
        assert len(store.list_accounts()) == 1
    finally:
        store.close()


def test_a_stale_demo_file_gets_a_new_account(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "demo-account.json").write_text('{"appId": "gone", "appSecret": "x"}')
    app_id, _secret, created = demo_account(settings)
    assert created and app_id != "gone"


def test_printed_curl_line_signs_like_the_contract(tmp_path: Path) -> None:
    photo = tmp_path / "card.jpg"
    text = demo_instructions("app123", "s3cr3t", "http://127.0.0.1:8000", photo)
    curl_line = next(line for line in text.splitlines() if line.startswith("TS="))
    assert f"file=@{photo}" in curl_line and "http://127.0.0.1:8000/ocr/idcard-v1" in curl_line
    # Run the signing half of the line with bash and compare with the contract's sign.
    signing = curl_line.split("; curl ", 1)[0] + '; echo "$TS $SIGN"'
    timestamp, sign = subprocess.run(
        ["bash", "-c", signing], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sign == sign_of("app123", "s3cr3t", timestamp)
    assert "Client('app123', 's3cr3t', 'http://127.0.0.1:8000')" in text


def test_serve_documents_its_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "--forwarded-allow-ips"):
        assert option in result.output

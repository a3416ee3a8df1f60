"""The operator commands on a SQLite database: JSON out, JSON errors, same settings as the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from idcard_ocr.cli import main
from idcard_ocr.settings import Settings, get_settings
from idcard_ocr.storage import CallRecord
from idcard_ocr.storage.sql import open_store

STORAGE_GROUPS = ("accounts", "service", "db", "keys")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the commands at a fresh SQLite database, through the environment as in production."""
    for name in ("IDCARD_DATABASE_URL", "IDCARD_SECRET_KEY", "IDCARD_SECRET_KEY_PREVIOUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDCARD_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def refused(*args: str) -> dict[str, Any]:
    result = run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    return json.loads(result.stderr)


def test_create_prints_credentials_that_the_server_will_accept(data_dir: Path) -> None:
    made = ok("accounts", "create", "--name", "酒店", "--balance", "50", "--qps", "5", "--ip", "10.0.0.0/8")
    assert made["appId"].startswith("idc") and len(made["appSecret"]) == 32
    assert (made["name"], made["balance"], made["qps"], made["dailyQuota"]) == ("酒店", 50, 5, None)
    assert made["ipAllow"] == ["10.0.0.0/8"] and made["subscribed"] is True
    store = open_store(Settings(data_dir=data_dir))
    try:
        assert store.get_secret(made["appId"]) == made["appSecret"]
    finally:
        store.close()


def test_show_and_list_never_print_the_secret(data_dir: Path) -> None:
    made = ok("accounts", "create", "--balance", "3", "--no-subscribe")
    for args in (("accounts", "show", made["appId"]), ("accounts", "list")):
        result = run(*args)
        assert result.exit_code == 0 and made["appSecret"] not in result.stdout
    shown = ok("accounts", "show", made["appId"])
    assert (shown["balance"], shown["subscribed"]) == (3, False)
    assert [a["appId"] for a in ok("accounts", "list")["accounts"]] == [made["appId"]]


def test_update_sets_tops_up_and_clears_limits(data_dir: Path) -> None:
    app_id = ok("accounts", "create", "--qps", "2", "--daily-quota", "9", "--ip", "10.1.1.1")["appId"]
    after = ok("accounts", "update", app_id, "--topup", "7", "--disable", "--unsubscribe", "--replay-guard")
    assert (after["balance"], after["enabled"], after["subscribed"], after["replayGuard"]) == (
        7,
        False,
        False,
        True,
    )
    cleared = ok("accounts", "update", app_id, "--qps", "0", "--daily-quota", "0", "--clear-ip", "--enable")
    assert (cleared["qps"], cleared["dailyQuota"], cleared["ipAllow"], cleared["enabled"]) == (
        None,
        None,
        [],
        True,
    )
    assert ok("accounts", "update", app_id, "--balance", "100")["balance"] == 100


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("accounts", "show", "idcNoSuchAccount1"), "unknown appId"),
        (("accounts", "update", "idcNoSuchAccount1", "--topup", "5"), "unknown appId"),
        (("usage", "idcNoSuchAccount1"), "unknown appId"),
        (("accounts", "create", "--ip", "10.0.0.300/8"), "CIDR"),
        (("accounts", "create", "--balance", "-5"), "balance"),
        (("accounts", "create", "--qps", "-1"), "--qps"),
        (("usage", "--since", "yesterday"), "YYYY-MM-DD"),
    ],
)
def test_refusals_are_json_on_stderr_with_exit_2(data_dir: Path, args: tuple[str, ...], words: str) -> None:
    assert words in refused(*args)["error"]


def test_bad_changes_leave_the_account_as_it_was(data_dir: Path) -> None:
    app_id = ok("accounts", "create", "--balance", "4")["appId"]
    refused("accounts", "update", app_id, "--balance", "-1")
    refused("accounts", "update", app_id, "--topup", "-5")
    refused("accounts", "update", app_id, "--ip", "not-an-ip")
    assert ok("accounts", "show", app_id)["balance"] == 4


def test_show_tells_what_calls_in_flight_hold_and_what_is_left(data_dir: Path) -> None:
    app_id = ok("accounts", "create", "--balance", "5")["appId"]
    now = datetime.now(UTC).replace(tzinfo=None)
    store = open_store(Settings(data_dir=data_dir))
    try:
        store.place_hold("H" * 20, app_id, price=2, daily_quota=None, at=now, ttl_s=600)
        store.place_hold("E" * 20, app_id, price=1, daily_quota=None, at=now - timedelta(hours=1), ttl_s=60)
    finally:
        store.close()
    shown = ok("accounts", "show", app_id)
    # the expired hold no longer counts; the live one does; the balance itself is untouched
    assert (shown["balance"], shown["held"], shown["available"]) == (5, 2, 3)


def test_service_switches_reach_the_store(data_dir: Path) -> None:
    assert ok("service", "status") == {"maintenance": False, "product": True}
    assert ok("service", "maintenance", "on") == {"maintenance": True, "product": True}
    assert ok("service", "product", "off") == {"maintenance": True, "product": False}
    store = open_store(Settings(data_dir=data_dir))
    try:
        switches = store.get_switches()
    finally:
        store.close()
    assert switches.maintenance and not switches.product_enabled


def test_usage_reports_calls_billed_and_codes(data_dir: Path) -> None:
    app_id = ok("accounts", "create", "--balance", "1")["appId"]
    store = open_store(Settings(data_dir=data_dir))
    try:
        now = datetime.now().astimezone()
        for i in range(3):
            store.finish_call(CallRecord(f"T{i}", app_id, 200, 30.0, now), price=1, daily_quota=None)
    finally:
        store.close()
    report = ok("usage", app_id, "--since", now.date().isoformat())
    assert report["accounts"] == [{"appId": app_id, "calls": 3, "billed": 1, "byCode": {"200": 1, "603": 2}}]
    assert ok("usage", "--since", "2999-01-01")["accounts"] == []


def test_db_upgrade_reaches_head_and_is_repeatable(data_dir: Path) -> None:
    first = ok("db", "upgrade")
    assert first["revision"] == first["head"] is not None
    assert ok("db", "upgrade") == first
    assert ok("db", "status")["upToDate"] is True


def test_key_rotation_keeps_every_secret(data_dir: Path, tmp_path: Path) -> None:
    made = ok("accounts", "create")
    before = ok("keys", "fingerprint")["keyFingerprint"]
    generated = ok("keys", "rotate")
    assert generated["resealed"] == 1 and generated["keyFingerprint"] != before
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text("operator-chosen-key-abcdefghijklmnopqrstuvwxyz\n")
    chosen = ok("keys", "rotate", "--new-key-file", str(new_key_file))
    assert chosen["keyFingerprint"] not in (before, generated["keyFingerprint"])
    assert (data_dir / "idcard-ocr.db.key").read_text().strip() == new_key_file.read_text().strip()
    store = open_store(Settings(data_dir=data_dir))
    try:
        assert store.get_secret(made["appId"]) == made["appSecret"]
    finally:
        store.close()


def test_a_short_new_key_is_refused(data_dir: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("too-short")
    assert "32" in refused("keys", "rotate", "--new-key-file", str(short))["error"]


def _commands(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_storage_command_and_option_is_documented() -> None:
    commands = [*(c for g in STORAGE_GROUPS for c in _commands(main.commands[g], g))]  # type: ignore[arg-type]
    commands.append(("usage", main.commands["usage"]))
    assert len(commands) >= 12
    for name, command in commands:
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"

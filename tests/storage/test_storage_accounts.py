"""Accounts and global switches, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idcard_ocr.storage import AccountNotFound, Switches
from idcard_ocr.storage.sql import SqlStore


def test_new_account_has_contract_defaults_and_a_fresh_id_and_secret(store: SqlStore) -> None:
    account, secret = store.create_account(name="Hotel A")
    assert account.app_id.startswith("idc") and len(account.app_id) == 16
    assert len(secret) == 32 and secret.isalnum()
    # The contract: no rate, quota or IP list unless given; subscribed unless told otherwise.
    assert (account.qps, account.daily_quota, account.ip_allow) == (None, None, ())
    assert account.enabled and account.subscribed and not account.replay_guard
    assert account.balance == 0 and account.name == "Hotel A"
    assert abs(account.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert store.get_account(account.app_id) == account


def test_two_accounts_never_share_id_or_secret(store: SqlStore) -> None:
    (a, secret_a), (b, secret_b) = store.create_account(), store.create_account()
    assert a.app_id != b.app_id and secret_a != secret_b


def test_create_with_limits_normalises_ip_list(store: SqlStore) -> None:
    account, _ = store.create_account(
        balance=100, qps=5, daily_quota=1000, ip_allow=["10.1.2.3", "192.168.0.0/16"], subscribed=False
    )
    stored = store.get_account(account.app_id)
    assert stored is not None
    assert (stored.balance, stored.qps, stored.daily_quota) == (100, 5, 1000)
    assert stored.ip_allow == ("10.1.2.3/32", "192.168.0.0/16")
    assert not stored.subscribed


def test_unknown_account_reads_as_none(store: SqlStore) -> None:
    assert store.get_account("idcNoSuchAccount1") is None
    assert store.get_secret("idcNoSuchAccount1") is None


def test_update_changes_and_clears_fields(store: SqlStore) -> None:
    account, _ = store.create_account(qps=3, daily_quota=10, ip_allow=["10.0.0.0/8"])
    changed = store.update_account(
        account.app_id, name="Shop", enabled=False, subscribed=False, replay_guard=True, balance=7
    )
    assert (changed.name, changed.enabled, changed.subscribed, changed.replay_guard) == (
        "Shop",
        False,
        False,
        True,
    )
    assert changed.balance == 7
    cleared = store.update_account(account.app_id, qps=None, daily_quota=None, ip_allow=[])
    assert (cleared.qps, cleared.daily_quota, cleared.ip_allow) == (None, None, ())
    assert store.get_account(account.app_id) == cleared


def test_topup_adds_and_never_goes_below_zero(store: SqlStore) -> None:
    account, _ = store.create_account(balance=5)
    assert store.update_account(account.app_id, topup=20).balance == 25
    assert store.update_account(account.app_id, topup=-25).balance == 0
    with pytest.raises(ValueError, match="below 0"):
        store.update_account(account.app_id, topup=-1)
    assert store.get_account(account.app_id).balance == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "changes",
    [{"balance": -1}, {"qps": 0}, {"daily_quota": -5}, {"ip_allow": ["10.0.0.0/33"]}, {"colour": "red"}],
)
def test_invalid_changes_are_refused_and_change_nothing(store: SqlStore, changes: dict[str, object]) -> None:
    account, _ = store.create_account(balance=3)
    with pytest.raises(ValueError):
        store.update_account(account.app_id, **changes)
    assert store.get_account(account.app_id) == account


def test_update_of_unknown_account_raises(store: SqlStore) -> None:
    with pytest.raises(AccountNotFound):
        store.update_account("idcNoSuchAccount1", balance=1)


def test_list_accounts_in_creation_order(store: SqlStore) -> None:
    ids = [store.create_account(name=f"n{i}")[0].app_id for i in range(3)]
    assert [a.app_id for a in store.list_accounts()] == ids


def test_switches_start_open_and_flip_independently(store: SqlStore) -> None:
    assert store.get_switches() == Switches(maintenance=False, product_enabled=True)
    assert store.set_switch("maintenance", True) == Switches(maintenance=True, product_enabled=True)
    assert store.set_switch("product", False) == Switches(maintenance=True, product_enabled=False)
    store.set_switch("maintenance", False)
    assert store.get_switches() == Switches(maintenance=False, product_enabled=False)
    with pytest.raises(ValueError):
        store.set_switch("everything", True)  # type: ignore[arg-type]

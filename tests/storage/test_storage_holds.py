"""Holds on the balance: placed against balance and quota, settled or released exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text

from idcard_ocr.settings import Settings
from idcard_ocr.storage import CallRecord, ChargeOutcome, HoldOutcome
from idcard_ocr.storage.migrate import _alembic_config, head_revision, make_engine
from idcard_ocr.storage.sql import SqlStore, open_store


def hold(
    store: SqlStore, app_id: str, task_no: str, *, quota: int | None = None, at: datetime | None = None
) -> HoldOutcome:
    when = at or datetime.now(UTC)  # not an import-time constant: a hold lasts only 60 s
    return store.place_hold(task_no, app_id, price=1, daily_quota=quota, at=when, ttl_s=60)


def finish(store: SqlStore, app_id: str, task_no: str, price: int = 1, code: int = 200) -> ChargeOutcome:
    record = CallRecord(task_no=task_no, app_id=app_id, code=code, elapsed_ms=5.0, at=datetime.now(UTC))
    return store.finish_call(record, price=price, daily_quota=None)


def test_holds_count_against_the_balance_until_settled_or_released(store: SqlStore) -> None:
    account, _ = store.create_account(balance=2)
    app = account.app_id
    assert [hold(store, app, t) for t in ("A", "B", "C")] == [
        HoldOutcome.HELD,
        HoldOutcome.HELD,
        HoldOutcome.INSUFFICIENT_BALANCE,
    ]
    assert store.get_account(app).balance == 2  # type: ignore[union-attr]  # held is not charged
    assert finish(store, app, "A") is ChargeOutcome.CHARGED  # the hold becomes the charge
    assert finish(store, app, "B", price=0, code=301) is ChargeOutcome.NOT_BILLED  # released
    assert store.open_holds() == []
    assert store.get_account(app).balance == 1  # type: ignore[union-attr]
    assert hold(store, app, "C") is HoldOutcome.HELD
    assert store.release_hold("C") is True and store.release_hold("C") is False
    assert [(r.billed, r.by_code) for r in store.usage(app)] == [(1, {200: 1, 301: 1})]


def test_holds_count_against_the_daily_quota(store: SqlStore) -> None:
    account, _ = store.create_account(balance=10, daily_quota=2)
    app = account.app_id
    assert finish(store, app, "T1") is ChargeOutcome.CHARGED
    assert hold(store, app, "T2", quota=2) is HoldOutcome.HELD
    assert hold(store, app, "T3", quota=2) is HoldOutcome.QUOTA_EXCEEDED
    assert store.release_hold("T2")
    assert hold(store, app, "T3", quota=2) is HoldOutcome.HELD


def test_an_expired_hold_stops_counting_and_is_deleted_by_the_next(store: SqlStore) -> None:
    account, _ = store.create_account(balance=1)
    app = account.app_id
    assert hold(store, app, "DEAD", at=datetime.now(UTC) - timedelta(minutes=5)) is HoldOutcome.HELD
    assert [h.task_no for h in store.open_holds(app)] == ["DEAD"]
    assert hold(store, app, "LIVE") is HoldOutcome.HELD  # the dead worker's unit is free again
    assert [h.task_no for h in store.open_holds(app)] == ["LIVE"]
    # The dead call, should its worker come back after all, cannot take the unit held by LIVE.
    assert finish(store, app, "DEAD") is ChargeOutcome.INSUFFICIENT_BALANCE
    assert finish(store, app, "LIVE") is ChargeOutcome.CHARGED
    assert store.get_account(app).balance == 0  # type: ignore[union-attr]


def test_reclaiming_deletes_only_expired_holds(store: SqlStore) -> None:
    dead, _ = store.create_account(balance=5)
    live, _ = store.create_account(balance=5)
    hold(store, dead.app_id, "OLD", at=datetime.now(UTC) - timedelta(minutes=5))
    hold(store, live.app_id, "NEW")  # another account's hold leaves OLD where it is
    assert {h.task_no for h in store.open_holds()} == {"OLD", "NEW"}
    assert store.reclaim_expired_holds() == 1
    assert [h.task_no for h in store.open_holds()] == ["NEW"]
    assert store.reclaim_expired_holds(datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=2)) == 1
    assert store.open_holds() == []


def test_concurrent_holds_never_reserve_more_than_the_balance(
    store: SqlStore, database_url: str, settings_for: Callable[..., Settings]
) -> None:
    account, _ = store.create_account(balance=5)
    outcomes: list[HoldOutcome] = []
    lock = threading.Lock()

    def place(i: int) -> None:
        other = open_store(settings_for(database_url))  # its own connection pool, as another worker
        try:
            outcome = hold(other, account.app_id, f"C{i:02d}")
        finally:
            other.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.value for o in outcomes) == ["held"] * 5 + ["insufficient_balance"] * 7
    assert len(store.open_holds(account.app_id)) == 5


def test_db_upgrade_takes_a_database_without_holds_forward_keeping_its_data(
    database_url: str, settings_for: Callable[..., Settings]
) -> None:
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:  # the schema as the previous release left it
            config = _alembic_config(database_url)
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
            conn.execute(
                text(
                    "INSERT INTO accounts (app_id, name, balance, created_at, updated_at) "
                    "VALUES ('olderapp', 'kept', 7, :t, :t)"
                ),
                {"t": now.replace(tzinfo=None)},
            )
            conn.execute(
                text(
                    "INSERT INTO ledger (task_no, app_id, amount, at, day) "
                    "VALUES ('T0', 'olderapp', 1, :t, :d)"
                ),
                {"t": now.replace(tzinfo=None), "d": now.astimezone().date()},
            )
        assert "holds" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    store = open_store(settings_for(database_url))  # what `idcard-ocr db upgrade` runs
    try:
        account = store.get_account("olderapp")
        assert account is not None and (account.name, account.balance) == ("kept", 7)
        assert store.billed_on("olderapp", now.astimezone().date()) == 1
        assert hold(store, "olderapp", "H1") is HoldOutcome.HELD
    finally:
        store.close()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    finally:
        engine.dispose()

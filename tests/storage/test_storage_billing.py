"""Recording calls, charging them exactly once, quotas, usage and node ids."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from idcard_ocr.settings import Settings
from idcard_ocr.storage import CallRecord, ChargeOutcome
from idcard_ocr.storage.models import ledger, worker_nodes
from idcard_ocr.storage.sql import SqlStore, open_store

NOW = datetime.now().astimezone()


def call(app_id: str, task_no: str, code: int = 200, at: datetime = NOW) -> CallRecord:
    return CallRecord(task_no=task_no, app_id=app_id, code=code, elapsed_ms=41.5, at=at)


def ledger_rows(store: SqlStore) -> list[tuple[str, str, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(ledger.select().order_by(ledger.c.id)).mappings()
        return [(r["task_no"], r["app_id"], r["amount"]) for r in rows]


def test_a_charge_takes_the_price_and_writes_one_ledger_row(store: SqlStore) -> None:
    account, _ = store.create_account(balance=10)
    assert store.finish_call(call(account.app_id, "T1"), price=3, daily_quota=None) is ChargeOutcome.CHARGED
    assert store.get_account(account.app_id).balance == 7  # type: ignore[union-attr]
    assert ledger_rows(store) == [("T1", account.app_id, 3)]
    assert store.billed_on(account.app_id, NOW.date()) == 1


def test_unbilled_calls_are_recorded_without_charge(store: SqlStore) -> None:
    account, _ = store.create_account(balance=10)
    for i, code in enumerate((400, 301, 200)):
        outcome = store.finish_call(call(account.app_id, f"N{i}", code), price=0, daily_quota=None)
        assert outcome is ChargeOutcome.NOT_BILLED
    assert store.get_account(account.app_id).balance == 10  # type: ignore[union-attr]
    assert ledger_rows(store) == []
    [row] = store.usage(account.app_id)
    assert (row.calls, row.billed, row.by_code) == (3, 0, {200: 1, 301: 1, 400: 1})


def test_balance_short_of_the_price_gives_603_and_charges_nothing(store: SqlStore) -> None:
    account, _ = store.create_account(balance=2)
    outcome = store.finish_call(call(account.app_id, "T1"), price=3, daily_quota=None)
    assert outcome is ChargeOutcome.INSUFFICIENT_BALANCE
    assert store.get_account(account.app_id).balance == 2  # type: ignore[union-attr]
    assert ledger_rows(store) == []
    assert store.usage(account.app_id)[0].by_code == {603: 1}


def test_daily_quota_counts_todays_billed_calls_only(store: SqlStore) -> None:
    account, _ = store.create_account(balance=100)
    yesterday = NOW - timedelta(days=1)
    assert (
        store.finish_call(call(account.app_id, "Y1", at=yesterday), price=1, daily_quota=2)
        is ChargeOutcome.CHARGED
    )
    assert store.finish_call(call(account.app_id, "T1"), price=1, daily_quota=2) is ChargeOutcome.CHARGED
    assert store.finish_call(call(account.app_id, "T2"), price=1, daily_quota=2) is ChargeOutcome.CHARGED
    assert (
        store.finish_call(call(account.app_id, "T3"), price=1, daily_quota=2) is ChargeOutcome.QUOTA_EXCEEDED
    )
    assert store.get_account(account.app_id).balance == 97  # type: ignore[union-attr]
    assert store.billed_on(account.app_id, NOW.date()) == 2
    assert store.billed_on(account.app_id, yesterday.date()) == 1
    [today] = store.usage(account.app_id, since=NOW.date())
    assert (today.calls, today.billed, today.by_code) == (3, 2, {200: 2, 606: 1})


def test_a_repeated_task_no_is_never_billed_twice(store: SqlStore) -> None:
    account, _ = store.create_account(balance=10)
    first = store.finish_call(call(account.app_id, "T1"), price=1, daily_quota=None)
    again = store.finish_call(call(account.app_id, "T1"), price=1, daily_quota=None)
    assert first is again is ChargeOutcome.CHARGED
    assert store.get_account(account.app_id).balance == 9  # type: ignore[union-attr]
    assert len(ledger_rows(store)) == 1
    assert store.usage(account.app_id)[0].calls == 1


def test_twenty_threads_on_a_balance_of_five_charge_exactly_five(store: SqlStore) -> None:
    account, _ = store.create_account(balance=5)
    outcomes: list[ChargeOutcome] = []
    start = threading.Barrier(20)

    def worker(i: int) -> None:
        start.wait()
        outcomes.append(store.finish_call(call(account.app_id, f"C{i:02d}"), price=1, daily_quota=None))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(ChargeOutcome.CHARGED) == 5
    assert outcomes.count(ChargeOutcome.INSUFFICIENT_BALANCE) == 15
    assert store.get_account(account.app_id).balance == 0  # type: ignore[union-attr]
    assert len(ledger_rows(store)) == 5
    assert store.usage(account.app_id)[0].by_code == {200: 5, 603: 15}


def test_concurrent_quota_never_exceeded(store: SqlStore) -> None:
    account, _ = store.create_account(balance=100)
    outcomes: list[ChargeOutcome] = []
    start = threading.Barrier(12)

    def worker(i: int) -> None:
        start.wait()
        outcomes.append(store.finish_call(call(account.app_id, f"Q{i:02d}"), price=1, daily_quota=4))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(ChargeOutcome.CHARGED) == 4
    assert store.get_account(account.app_id).balance == 96  # type: ignore[union-attr]


def test_usage_groups_by_account_and_respects_since(store: SqlStore) -> None:
    a, _ = store.create_account(balance=5)
    b, _ = store.create_account(balance=0)
    store.finish_call(call(a.app_id, "A1", at=NOW - timedelta(days=3)), price=1, daily_quota=None)
    store.finish_call(call(a.app_id, "A2"), price=1, daily_quota=None)
    store.finish_call(call(b.app_id, "B1"), price=1, daily_quota=None)
    store.finish_call(call(b.app_id, "B2", code=400), price=0, daily_quota=None)
    rows = {r.app_id: r for r in store.usage()}
    assert (rows[a.app_id].calls, rows[a.app_id].billed) == (2, 2)
    assert (rows[b.app_id].calls, rows[b.app_id].billed, rows[b.app_id].by_code) == (2, 0, {400: 1, 603: 1})
    recent = {r.app_id: r for r in store.usage(since=date.today() - timedelta(days=1))}
    assert (recent[a.app_id].calls, recent[a.app_id].billed) == (1, 1)
    assert store.usage(since=date.today() + timedelta(days=1)) == []


def test_node_ids_are_distinct_lowest_free_and_freed_on_close(
    store: SqlStore, database_url: str, settings_for: Callable[..., Settings]
) -> None:
    other = open_store(settings_for(database_url))
    try:
        ids = [store.allocate_node_id(), store.allocate_node_id(), other.allocate_node_id()]
        assert ids == [0, 1, 2]
        store.close()  # a process that ends frees its ids for the next one
        assert other.allocate_node_id() == 0
    finally:
        other.close()


def test_an_expired_lease_is_taken_over(store: SqlStore) -> None:
    with store.engine.begin() as conn:  # a process that died 10 minutes ago without closing
        lapsed = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
        conn.execute(worker_nodes.insert().values(node_id=0, holder="gone:1:x", lease_until=lapsed))
        conn.execute(
            worker_nodes.insert().values(node_id=1, holder="alive:2:y", lease_until=lapsed.replace(year=2999))
        )
    assert store.allocate_node_id() == 0
    assert store.allocate_node_id() == 2

"""Daily quota counters in Redis: primed and corrected from the ledger, never refusing wrongly."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import redis

from idcard_ocr.limits.quota import (
    KEY_TTL_S,
    NoQuotaCounter,
    RedisQuotaCounter,
    make_quota_counter,
    quota_used_up,
    reconcile_all,
)
from idcard_ocr.storage.base import CallRecord, ChargeOutcome
from idcard_ocr.storage.sql import SqlStore

_task_numbers = itertools.count(10_000_000_000_000_000_000)


def charge(store: SqlStore, app_id: str, daily_quota: int | None) -> ChargeOutcome:
    """Bill one recognised call through the store, as the service does."""
    record = CallRecord(str(next(_task_numbers)), app_id, 200, 5.0, datetime.now(UTC))
    return store.finish_call(record, price=1, daily_quota=daily_quota)


@pytest.fixture
def counter(new_client: Callable[[], redis.Redis], key_prefix: str) -> RedisQuotaCounter:
    return RedisQuotaCounter(new_client(), key_prefix)


@pytest.fixture
def quota_app(store: SqlStore) -> str:
    """An account with 100 units and a daily quota of 3, two calls billed today."""
    account, _secret = store.create_account(balance=100, daily_quota=3)
    for _ in range(2):
        assert charge(store, account.app_id, 3) is ChargeOutcome.CHARGED
    return account.app_id


def test_unknown_until_primed_and_a_billed_call_does_not_invent_a_count(counter: RedisQuotaCounter) -> None:
    assert counter.billed_today("app-a") is None
    counter.record_billed("app-a")  # no count yet: starting from 1 would undercount
    assert counter.billed_today("app-a") is None


def test_reconcile_primes_from_the_ledger_and_workers_then_share_the_count(
    counter: RedisQuotaCounter,
    store: SqlStore,
    quota_app: str,
    new_client: Callable[[], redis.Redis],
    key_prefix: str,
) -> None:
    assert counter.reconcile(store.billed_on, quota_app) == 2
    other_worker = RedisQuotaCounter(new_client(), key_prefix)
    assert other_worker.billed_today(quota_app) == 2

    other_worker.record_billed(quota_app)

    assert counter.billed_today(quota_app) == 3
    ttl = new_client().ttl(counter.key(quota_app))
    assert KEY_TTL_S - 60 < ttl <= KEY_TTL_S


def test_each_local_day_has_its_own_count(new_client: Callable[[], redis.Redis], key_prefix: str) -> None:
    day = [date(2026, 11, 28)]
    counter = RedisQuotaCounter(new_client(), key_prefix, today=lambda: day[0])
    new_client().set(counter.key("app-a"), 7)
    assert counter.key("app-a").endswith("app-a:2026-11-28")
    assert counter.billed_today("app-a") == 7

    day[0] = date(2026, 11, 29)  # midnight passed: yesterday's calls no longer count
    assert counter.billed_today("app-a") is None


def test_early_check_primes_the_counter_then_refuses_at_the_quota(
    counter: RedisQuotaCounter, store: SqlStore, quota_app: str
) -> None:
    assert quota_used_up(counter, store.billed_on, quota_app, 3) is False
    assert counter.billed_today(quota_app) == 2

    assert charge(store, quota_app, 3) is ChargeOutcome.CHARGED
    counter.record_billed(quota_app)

    assert quota_used_up(counter, store.billed_on, quota_app, 3) is True


def test_a_counter_that_drifted_high_is_corrected_instead_of_refusing(
    counter: RedisQuotaCounter, store: SqlStore, quota_app: str, new_client: Callable[[], redis.Redis]
) -> None:
    new_client().set(counter.key(quota_app), 99)

    assert quota_used_up(counter, store.billed_on, quota_app, 3) is False
    assert counter.billed_today(quota_app) == 2


def test_a_counter_left_behind_cannot_bill_past_the_quota_and_is_corrected(
    counter: RedisQuotaCounter, store: SqlStore, quota_app: str, new_client: Callable[[], redis.Redis]
) -> None:
    assert charge(store, quota_app, 3) is ChargeOutcome.CHARGED  # billed, but the counter missed it
    new_client().set(counter.key(quota_app), 0)

    assert quota_used_up(counter, store.billed_on, quota_app, 3) is False  # the hint lets the call in...
    assert charge(store, quota_app, 3) is ChargeOutcome.QUOTA_EXCEEDED  # ...the ledger refuses it
    assert counter.reconcile(store.billed_on, quota_app) == 3  # the service resets on that mismatch
    assert quota_used_up(counter, store.billed_on, quota_app, 3) is True
    assert store.billed_on(quota_app, date.today()) == 3


def test_unreachable_redis_falls_back_to_the_ledger(store: SqlStore, quota_app: str) -> None:
    counter = make_quota_counter("redis://127.0.0.1:1/0")  # nothing listens on port 1

    assert counter.billed_today(quota_app) is None
    counter.record_billed(quota_app)  # must not raise: the store stays exact
    assert counter.reconcile(store.billed_on, quota_app) == 2
    assert quota_used_up(counter, store.billed_on, quota_app, 2) is True
    assert quota_used_up(counter, store.billed_on, quota_app, 3) is False


def test_without_redis_every_check_asks_the_store(store: SqlStore, quota_app: str) -> None:
    counter = make_quota_counter(None)
    assert isinstance(counter, NoQuotaCounter)
    assert counter.billed_today(quota_app) is None
    assert quota_used_up(counter, store.billed_on, quota_app, 3) is False
    assert quota_used_up(counter, store.billed_on, quota_app, 2) is True


def test_start_up_reconciles_only_accounts_with_a_quota(
    counter: RedisQuotaCounter, store: SqlStore, quota_app: str
) -> None:
    unlimited, _ = store.create_account(balance=5)

    assert reconcile_all(counter, store.billed_on, store.list_accounts()) == 1
    assert counter.billed_today(quota_app) == 2
    assert counter.billed_today(unlimited.app_id) is None

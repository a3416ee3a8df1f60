"""Several worker processes on one database: no overdraft, no double billing, distinct node ids."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import datetime

import pytest

from idcard_ocr.settings import Settings
from idcard_ocr.storage import CallRecord, ChargeOutcome
from idcard_ocr.storage.sql import SqlStore, open_store

WORKERS = 4
CALLS_EACH = 6


def _worker(settings: Settings, app_id: str, worker: int, start: object) -> tuple[int, list[str]]:
    store = open_store(settings)
    try:
        node = store.allocate_node_id()
        start.wait()  # type: ignore[attr-defined]
        outcomes = []
        for i in range(CALLS_EACH):
            # Every worker also retries task numbers another worker uses: each is billed once.
            record = CallRecord(f"P{i:02d}", app_id, 200, 10.0, datetime.now().astimezone())
            outcomes.append(store.finish_call(record, price=1, daily_quota=None).value)
        start.wait()  # type: ignore[attr-defined]  # hold the node id until every worker has one
        return node, outcomes
    finally:
        store.close()


@pytest.mark.slow
def test_worker_processes_share_one_balance_safely(
    store: SqlStore, database_url: str, settings_for: Callable[..., Settings]
) -> None:
    account, _ = store.create_account(balance=4)
    settings = settings_for(database_url)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(WORKERS)
        with context.Pool(WORKERS) as pool:
            results = pool.starmap(_worker, [(settings, account.app_id, w, start) for w in range(WORKERS)])
    nodes = [node for node, _ in results]
    assert len(set(nodes)) == WORKERS and all(0 <= n <= 999 for n in nodes)
    # Six task numbers, four units of balance: each task has one outcome, whichever worker asked.
    per_task = [{outcomes[i] for _, outcomes in results} for i in range(CALLS_EACH)]
    assert all(len(seen) == 1 for seen in per_task), per_task
    final = [seen.pop() for seen in per_task]
    assert final.count(ChargeOutcome.CHARGED.value) == 4
    assert final.count(ChargeOutcome.INSUFFICIENT_BALANCE.value) == 2
    assert store.get_account(account.app_id).balance == 0  # type: ignore[union-attr]
    usage = store.usage(account.app_id)[0]
    assert (usage.billed, usage.calls, usage.by_code) == (4, CALLS_EACH, {200: 4, 603: 2})

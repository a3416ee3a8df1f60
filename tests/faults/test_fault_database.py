"""The database failing mid-request: never a charge without its 200, never a charge lost or doubled.

Runs on SQLite and PostgreSQL. Whatever the answer, afterwards the ledger agrees with it: a
billed 200 has exactly one ledger row and one unit off the balance; anything else has none.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore
from tests.api.support import Caller, jpeg_bytes
from tests.faults.fault_support import FlakyStore, app_client, connection_lost, ledger_of

pytestmark = pytest.mark.anyio


def caller_on(store: SqlStore, balance: int = 5) -> Caller:
    account, secret = store.create_account(balance=balance)
    return Caller(account.app_id, secret)


async def post_photo(http: Any, caller: Caller) -> dict[str, Any]:
    response = await http.post(
        "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_database_down_for_the_charge_answers_999_and_charges_nothing(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> None:
    caller = caller_on(store)
    flaky = FlakyStore(store, fail_before=10)
    async with app_client(settings_for(database_url), flaky) as http:
        body = await post_photo(http, caller)
    assert (body["code"], body["msg"], body["charge"]) == (999, "其他", False)
    assert "data" not in body
    ledger = ledger_of(store, caller.app_id)
    assert (ledger.balance, ledger.billed, ledger.by_code) == (5, 0, {})


async def test_a_dropped_connection_before_the_commit_is_retried_once(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> None:
    caller = caller_on(store)
    flaky = FlakyStore(store, fail_before=1)
    async with app_client(settings_for(database_url), flaky) as http:
        body = await post_photo(http, caller)
    assert (body["code"], body["charge"]) == (200, True)
    ledger = ledger_of(store, caller.app_id)
    assert (ledger.balance, ledger.billed, ledger.by_code) == (4, 1, {200: 1})


async def test_a_lost_commit_acknowledgement_neither_hides_nor_doubles_the_charge(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> None:
    # The charge is written, then the connection drops: the retry finds the taskNo already
    # billed (finish_call is idempotent per taskNo) and the caller gets the 200 it paid for.
    caller = caller_on(store)
    flaky = FlakyStore(store, fail_after=1)
    async with app_client(settings_for(database_url), flaky) as http:
        body = await post_photo(http, caller)
    assert (body["code"], body["charge"]) == (200, True)
    assert flaky.attempts == 2
    ledger = ledger_of(store, caller.app_id)
    assert (ledger.balance, ledger.billed, ledger.by_code) == (4, 1, {200: 1})


async def test_database_gone_after_the_commit_logs_the_task_for_reconciliation(
    store: SqlStore,
    settings_for: Callable[..., Settings],
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The one case no service can settle alone: the charge committed and every later contact
    # with the database fails. The caller gets 999; the charge is single, and the log names the
    # taskNo with code=999 so the operator's audit can refund or confirm it.
    caller = caller_on(store)
    flaky = FlakyStore(store, fail_after=10)
    with caplog.at_level(logging.INFO, logger="idcard_ocr"):
        async with app_client(settings_for(database_url), flaky) as http:
            body = await post_photo(http, caller)
    assert (body["code"], body["charge"]) == (999, False)
    ledger = ledger_of(store, caller.app_id)
    assert (ledger.balance, ledger.billed) == (4, 1)  # charged once, never twice
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"taskNo={body['taskNo']}" in logged and "code=999" in logged


def _terminate_backend_once(store: SqlStore, base_url: str) -> list[int]:
    """Kill the server process behind the connection that is about to write the ledger row."""
    killed: list[int] = []
    dsn = make_url(base_url).set(drivername="postgresql", query={}).render_as_string(hide_password=False)

    @event.listens_for(store.engine, "before_cursor_execute")
    def kill(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if killed or "INSERT INTO ledger" not in statement:
            return
        pid = conn.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            for _ in range(50):  # wait until the backend is really gone
                if admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() is None:
                    break
                time.sleep(0.02)
        killed.append(pid)

    return killed


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # pg_terminate_backend is PostgreSQL's
async def test_postgres_backend_killed_mid_charge(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> None:
    caller = caller_on(store)
    killed = _terminate_backend_once(store, database_url)
    async with app_client(settings_for(database_url), store) as http:
        first = await post_photo(http, caller)
        second = await post_photo(http, caller)  # the pool heals: the next call is normal
    assert killed, "the ledger insert never ran"
    ledger = ledger_of(store, caller.app_id)
    # Killed before its commit, the transaction left nothing; the retry charged exactly once.
    assert (first["code"], first["charge"]) == (200, True)
    assert (second["code"], second["charge"]) == (200, True)
    assert (ledger.balance, ledger.billed, ledger.by_code) == (3, 2, {200: 2})


class _DownStore:
    """A store whose database went away after start-up: every call raises OperationalError."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner

    def allocate_node_id(self) -> int:
        return self.inner.allocate_node_id()

    def __getattr__(self, name: str) -> Any:
        def unreachable(*_args: Any, **_kwargs: Any) -> Any:
            raise connection_lost()

        return unreachable


async def test_a_database_gone_before_the_request_gets_a_999_envelope_for_every_step(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> None:
    caller = caller_on(store)
    async with app_client(settings_for(database_url, switch_refresh_s=0), _DownStore(store)) as http:
        for _ in range(2):  # the switches, then the sign check, both need the database
            started = time.perf_counter()
            response = await http.post(
                "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
            )
            assert response.status_code == 200 and time.perf_counter() - started < 2.0
            body = response.json()
            assert (body["code"], body["msg"], body["charge"]) == (999, "其他", False)
            assert len(body["taskNo"]) == 20
    ledger = ledger_of(store, caller.app_id)
    assert (ledger.balance, ledger.billed, ledger.by_code) == (5, 0, {})

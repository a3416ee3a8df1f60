"""Fault injection for the store: a wrapper whose ``finish_call`` fails before or after committing.

``fail_before`` models a database that is unreachable when the charge is attempted (nothing was
written); ``fail_after`` models a connection lost while the commit was being acknowledged (the
charge WAS written, the service does not know). Both raise SQLAlchemy's ``OperationalError``,
as a dropped connection does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.exc import OperationalError

from idcard_ocr.api.app import create_app
from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import CallRecord, ChargeOutcome
from idcard_ocr.storage.sql import SqlStore
from tests.api.support import StubRecognizer


def connection_lost() -> OperationalError:
    return OperationalError("INSERT INTO ledger ...", {}, ConnectionError("server closed the connection"))


class FlakyStore:
    """Delegates to ``inner``; ``finish_call`` fails ``fail_before``/``fail_after`` times."""

    def __init__(self, inner: SqlStore, *, fail_before: int = 0, fail_after: int = 0) -> None:
        self.inner = inner
        self.fail_before = fail_before
        self.fail_after = fail_after
        self.attempts = 0

    def finish_call(self, record: CallRecord, *, price: int, daily_quota: int | None) -> ChargeOutcome:
        self.attempts += 1
        if self.fail_before > 0:
            self.fail_before -= 1
            raise connection_lost()
        outcome = self.inner.finish_call(record, price=price, daily_quota=daily_quota)
        if self.fail_after > 0:
            self.fail_after -= 1
            raise connection_lost()
        return outcome

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Ledger:
    """An account's balance, billed calls and recorded calls by code, read from the real store."""

    balance: int
    billed: int
    by_code: dict[int, int]


def ledger_of(store: SqlStore, app_id: str) -> Ledger:
    account = store.get_account(app_id)
    assert account is not None
    rows = store.usage(app_id)
    return Ledger(
        balance=account.balance,
        billed=rows[0].billed if rows else 0,
        by_code=dict(rows[0].by_code) if rows else {},
    )


@asynccontextmanager
async def app_client(
    settings: Settings, store: Any, recognizer: StubRecognizer | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client for the app built on ``store`` (which may be a wrapper)."""
    app = create_app(settings, store, recognizer or StubRecognizer())
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        app.state.endpoint.close()

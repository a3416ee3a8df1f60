"""A full disk under SQLite and a recogniser that crashes or hangs: clean answers, nothing billed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import CallRecord
from idcard_ocr.storage.sql import SqlStore, open_store
from tests.api.support import Caller, Service, ServiceFactory, StubRecognizer, jpeg_bytes
from tests.faults.fault_support import app_client, ledger_of

pytestmark = pytest.mark.anyio


def _cap_file_at_current_size(store: SqlStore) -> None:
    """Every new connection may not grow the file (SQLITE_FULL past the pages it has now)."""

    @event.listens_for(store.engine, "connect")
    def cap(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    store.engine.dispose()


def _fill_until_full(store: SqlStore, app_id: str) -> int:
    """Record unbilled calls for ``app_id`` until the capped file refuses one; returns how many."""
    for n in range(5000):
        record = CallRecord(f"9{n:019d}", app_id, 400, 1.0, datetime.now(UTC))
        try:
            store.finish_call(record, price=0, daily_quota=None)
        except Exception as exc:
            assert "full" in str(exc).lower(), exc
            return n
    raise AssertionError("the capped database never filled up")


async def test_sqlite_disk_full_is_a_clean_999_and_keeps_the_data(
    tmp_path: Path, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(f"sqlite:///{(tmp_path / 'db' / 'idcard-ocr.db').as_posix()}")
    store = open_store(settings)
    try:
        account, secret = store.create_account(balance=5)
        caller = Caller(account.app_id, secret)
        filler, _ = store.create_account()
        _cap_file_at_current_size(store)
        assert _fill_until_full(store, filler.app_id) > 0
        async with app_client(settings, store) as http:
            response = await http.post(
                "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
            )
        body = response.json()
        assert (response.status_code, body["code"], body["msg"], body["charge"]) == (200, 999, "其他", False)
        assert "data" not in body and "full" not in response.text
        ledger = ledger_of(store, caller.app_id)
        assert (ledger.balance, ledger.billed, ledger.by_code) == (5, 0, {})
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        store.close()
    # Room again (a fresh process without the cap): the same account works and bills once.
    reopened = open_store(settings)
    try:
        async with app_client(settings, reopened) as http:
            response = await http.post(
                "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
            )
        assert (response.json()["code"], response.json()["charge"]) == (200, True)
        ledger = ledger_of(reopened, caller.app_id)
        assert (ledger.balance, ledger.billed) == (4, 1)
    finally:
        reopened.close()


@pytest.mark.parametrize(
    "crash",
    [RuntimeError("onnxruntime: invalid graph"), MemoryError(), RecursionError(), ValueError("bad shape")],
    ids=["runtime", "memory", "recursion", "value"],
)
async def test_recogniser_crash_is_301_and_unbilled(
    service_factory: ServiceFactory, crash: Exception
) -> None:
    service: Service = service_factory(recognizer=StubRecognizer(answer=crash))
    caller = service.account(balance=5)
    body = await service.post_photo(caller)
    assert (body["code"], body["msg"], body["charge"]) == (301, "识别失败", False)
    assert (service.balance(caller), service.billed(caller)) == (5, 0)
    # The worker survives: the next recognition works and is billed once.
    service.recognizer.answer = StubRecognizer().answer
    assert (await service.post_photo(caller))["code"] == 200
    assert (service.balance(caller), service.billed(caller)) == (4, 1)
    await service.http.aclose()


async def test_recogniser_past_its_deadline_is_610_and_its_late_result_is_never_billed(
    service_factory: ServiceFactory,
) -> None:
    release = threading.Event()

    class HangingRecognizer(StubRecognizer):
        def recognize(self, image: bytes, today: date | None = None) -> Any:
            release.wait(5.0)
            return super().recognize(image)

    service: Service = service_factory(recognizer=HangingRecognizer(), recognition_timeout_s=0.3)
    caller = service.account(balance=5)
    body = await service.post_photo(caller)
    assert (body["code"], body["msg"], body["charge"]) == (610, "请求超时", False)
    release.set()  # the engine finishes after the answer went out
    for _ in range(50):
        if service.recognizer.calls:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert (service.balance(caller), service.billed(caller)) == (5, 0)
    await service.http.aclose()

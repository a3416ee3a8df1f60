"""Bytes a database cannot store must not turn into a database error (999) on any backend."""

from __future__ import annotations

import pytest

from idcard_ocr.api.envelope import MSG_BAD_CREDENTIALS
from tests.api.support import Service

pytestmark = pytest.mark.anyio
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_nul_in_app_id_is_an_unknown_account_not_a_database_error(service: Service) -> None:
    # PostgreSQL refuses text holding NUL with an error; before the store screened it, a caller
    # could provoke a 999 and a logged traceback with one byte.
    caller = service.account(balance=3)
    for app_id in ("a%00b", caller.app_id + "%00", "%00"):
        response = await service.http.post(
            "/ocr/idcard-v1", content=f"appId={app_id}&timestamp=1&sign=00", headers=FORM
        )
        body = response.json()
        assert (body["code"], body["msg"], body["charge"]) == (400, MSG_BAD_CREDENTIALS, False), app_id
    assert service.store.get_account("a\x00b") is None and service.store.get_secret("\x00") is None
    assert service.balance(caller) == 3 and service.billed(caller) == 0

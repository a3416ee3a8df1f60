"""``idcard-ocr keys rotate`` while requests keep arriving: no valid request fails in the window.

SQLite with its generated key file: a server started before the rotation (old key only) and one
started after it (new key) both accept, with no restart. PostgreSQL with ``IDCARD_SECRET_KEY``:
a server given the new key and the old one as ``IDCARD_SECRET_KEY_PREVIOUS`` accepts before,
during and after the re-sealing, as the documented procedure promises.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from idcard_ocr.api.envelope import MSG_NO_IMAGE
from idcard_ocr.cli import main
from idcard_ocr.settings import Settings, get_settings
from idcard_ocr.storage.sql import open_store
from tests.api.support import Caller, jpeg_bytes
from tests.conftest import TEST_SECRET_KEY
from tests.faults.fault_support import app_client

pytestmark = pytest.mark.anyio
NEW_KEY = "rotated-server-key-abcdefghijklmnopqrstuvwxyz-0123"


def _rotate(monkeypatch: pytest.MonkeyPatch, env: dict[str, str | None]) -> dict[str, Any]:
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["keys", "rotate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, (result.stdout, result.stderr)
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


async def _keep_calling(clients: list[httpx.AsyncClient], caller: Caller, stop: asyncio.Event) -> list[str]:
    answers: list[str] = []
    while not stop.is_set():
        for http in clients:
            response = await http.post("/ocr/idcard-v1", data=caller.signed(), files={"f": ("", b"")})
            answers.append(response.json()["msg"])  # no photo: a 400 that says so once the sign checks out
        await asyncio.sleep(0.005)
    return answers


async def test_requests_keep_succeeding_while_keys_rotate(
    database_url: str, settings_for: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite = database_url.startswith("sqlite")
    if sqlite:
        serving = settings_for(database_url)  # the generated key file beside the database
        env: dict[str, str | None] = {"IDCARD_SECRET_KEY": None, "IDCARD_SECRET_KEY_PREVIOUS": None}
    else:
        serving = settings_for(database_url, secret_key=NEW_KEY, secret_key_previous=TEST_SECRET_KEY)
        env = {"IDCARD_SECRET_KEY": NEW_KEY, "IDCARD_SECRET_KEY_PREVIOUS": TEST_SECRET_KEY}
    env |= {"IDCARD_DATABASE_URL": database_url, "IDCARD_DATA_DIR": str(serving.data_dir)}
    first = open_store(settings_for(database_url))  # seals under the old key (file or TEST key)
    account, secret = first.create_account(balance=5)
    caller = Caller(account.app_id, secret)
    old_fingerprint = first.key_fingerprint
    first.close()

    before = open_store(serving)
    try:
        async with app_client(serving, before) as http:
            stop = asyncio.Event()
            calls = asyncio.create_task(_keep_calling([http], caller, stop))
            await asyncio.sleep(0.05)
            rotated = await asyncio.to_thread(_rotate, monkeypatch, env)
            await asyncio.sleep(0.05)
            stop.set()
            codes = await calls
            # After the rotation: the same running server, and a freshly started one.
            after = open_store(serving)
            try:
                async with app_client(serving, after) as fresh:
                    for client in (http, fresh):
                        response = await client.post(
                            "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
                        )
                        assert (response.json()["code"], response.json()["charge"]) == (200, True)
            finally:
                after.close()
    finally:
        before.close()
    assert rotated["resealed"] >= 1 and rotated["keyFingerprint"] != old_fingerprint
    assert len(codes) >= 3
    assert set(codes) == {MSG_NO_IMAGE}, codes  # every call got past the sign check

"""Secrets: short keys refused, signs compared in constant time, nothing private in logs or answers."""

from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from idcard_ocr.api.access import Credentials, authenticate
from idcard_ocr.api.envelope import ApiError
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import ConfigError
from idcard_ocr.storage.server_key import key_file_for
from idcard_ocr.storage.sql import open_store
from tests.api.support import FRONT_INFO, Service, ServiceFactory, StubRecognizer, jpeg_bytes

pytestmark = pytest.mark.anyio
SHORT_KEY = "short-secret-key-31-characters!"  # 31 characters


def test_keys_shorter_than_32_characters_are_refused_at_start(tmp_path: Path) -> None:
    assert len(SHORT_KEY) == 31
    for field in ("secret_key", "secret_key_previous"):
        with pytest.raises(ValidationError):
            Settings(**{field: SHORT_KEY})
    Settings(secret_key=SHORT_KEY + "x")  # 32 is enough
    # A key file cut short (edited by hand, a bad restore) stops the store from opening too.
    settings = Settings(data_dir=tmp_path)
    (tmp_path / "idcard-ocr.db.key").write_text(SHORT_KEY + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        open_store(settings)
    assert SHORT_KEY not in str(refused.value)


def test_a_refused_key_is_not_echoed_in_the_error() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(secret_key=SHORT_KEY)
    assert SHORT_KEY not in str(refused.value)


async def test_sign_is_compared_with_hmac_compare_digest(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = service.account()
    compared: list[tuple[Any, Any]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr("idcard_ocr.api.access.hmac.compare_digest", spy)
    good = caller.signed()
    account = authenticate(service.store, Credentials(good["appId"], good["timestamp"], good["sign"].upper()))
    assert account.app_id == caller.app_id
    with pytest.raises(ApiError):
        authenticate(service.store, Credentials(good["appId"], good["timestamp"], "0" * 64))
    with pytest.raises(ApiError):  # an unknown appId costs the same comparison
        authenticate(service.store, Credentials("nobody", good["timestamp"], "0" * 64))
    expected = sign_of(caller.app_id, caller.secret, good["timestamp"]).encode()
    assert compared[0] == (expected, good["sign"].lower().encode())
    assert len(compared) == 3  # every attempt, known appId or not, goes through compare_digest


async def _every_code(service: Service, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Drive the service through every code with real-looking data: (response texts, app secrets)."""
    texts: list[str] = []
    photo = jpeg_bytes()

    async def send(data: dict[str, Any], with_photo: bool = True) -> None:
        files = {"file": ("赵宁宁-330106198912014010.jpg", photo)} if with_photo else {"_": ("", b"")}
        texts.append((await service.http.post("/ocr/idcard-v1", data=data, files=files)).text)

    callers = {
        "rich": service.account(name="赵宁宁 330106198912014010", balance=100),
        "unsubscribed": service.account(subscribed=False),
        "disabled": service.account(),
        "broke": service.account(balance=0),
        "quota": service.account(daily_quota=0),
        "listed": service.account(ip_allow=["10.0.0.0/8"]),
        "rate": service.account(qps=1),
    }
    service.store.update_account(callers["disabled"].app_id, enabled=False)
    rich = callers["rich"]
    await send(rich.signed())  # 200
    await send({**rich.signed(), "sign": "f" * 64})  # 400 wrong sign
    await send({**rich.signed(), "base64": "330106198912014010"}, with_photo=False)  # 400 bad photo
    await send(rich.signed(timestamp_ms=1))  # 610
    texts.append((await service.http.post("/ocr/330106198912014010")).text)  # 404
    for name in ("unsubscribed", "disabled", "broke", "quota", "listed", "rate", "rate"):
        await send(callers[name].signed())  # 601, 602, 603, 606, 607, then 200 and 609
    service.recognizer.answer = RuntimeError(
        f"engine failed on {FRONT_INFO['number']} {FRONT_INFO['name']} {rich.secret}"
    )
    await send(rich.signed())  # 301, from an exception that quotes private data
    service.recognizer.answer = StubRecognizer().answer

    def broken_finish(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError(f"constraint failed for {FRONT_INFO['number']} secret={rich.secret}")

    with monkeypatch.context() as patch:
        patch.setattr(service.store, "finish_call", broken_finish)
        await send(rich.signed())  # 999, from an exception that quotes private data
    for switch, on in (("maintenance", True), ("product", False)):
        service.store.set_switch(switch, on)  # type: ignore[arg-type]
        try:
            await send(rich.signed())  # 500, 604
        finally:
            service.store.set_switch(switch, not on)  # type: ignore[arg-type]
    return texts, [c.secret for c in callers.values()]


async def test_logs_and_error_answers_of_every_code_hold_no_private_data(
    service_factory: ServiceFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    service = service_factory(switch_refresh_s=0)
    key_file = key_file_for(service.settings)
    assert key_file is not None
    server_key = key_file.read_text(encoding="utf-8").strip()
    with caplog.at_level(logging.INFO, logger="idcard_ocr"):
        texts, app_secrets = await _every_code(service, monkeypatch)
    codes = sorted({json.loads(text)["code"] for text in texts})
    assert codes == [200, 301, 400, 404, 500, 601, 602, 603, 604, 606, 607, 609, 610, 999]
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "taskNo=" in logged  # the capture did see the request log
    for private in [
        server_key,
        FRONT_INFO["number"],
        FRONT_INFO["name"],
        FRONT_INFO["address"],
        *app_secrets,
    ]:
        assert private not in logged, f"{private[:2]}… appears in the logs"
    # Error answers never quote private data either (only a 200 carries the card's fields).
    for text in texts:
        if json.loads(text)["code"] != 200:
            assert FRONT_INFO["number"] not in text and FRONT_INFO["name"] not in text, text
            assert all(secret not in text for secret in app_secrets)

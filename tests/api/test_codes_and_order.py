"""Every code of the contract's table, the order of the checks, and that none of them bills."""

from __future__ import annotations

import time

import pytest

from idcard_ocr.pipeline.types import ImageDecodeError, Recognition
from tests.api.support import Caller, Service, ServiceFactory, StubRecognizer, jpeg_bytes

pytestmark = pytest.mark.anyio

VENDOR_SIGN_VECTOR = "6ddcdc405743c576cb6d34b17b47ed56e2b9b6670fae1fe85ed01244fd31558b"


def test_sign_matches_the_vendor_example() -> None:
    from idcard_ocr.contract.sign import sign_of

    assert sign_of("xyzxy2121zxyz", "efcefcef1121cefcefc1212121", "1555378976238") == VENDOR_SIGN_VECTOR


async def expect(service: Service, caller: Caller, code: int, msg: str, **fields: str) -> dict[str, object]:
    body = await service.post_photo(caller, **fields)
    assert (body["code"], body["msg"], body["charge"]) == (code, msg, False), body
    assert "data" not in body
    assert len(str(body["taskNo"])) == 20
    return body


async def test_unknown_path_is_http_404_without_task_number(service: Service) -> None:
    for path in ("/ocr/idcard-v2", "/ocr/idcard-v1/", "/"):
        response = await service.http.post(path, data={"appId": "x"})
        assert response.status_code == 404
        assert response.json() == {"code": 404, "msg": "接口地址不正确"}


async def test_wrong_method_gets_an_envelope(service: Service) -> None:
    response = await service.http.get("/ocr/idcard-v1")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    body = response.json()
    assert body["code"] == 400 and body["charge"] is False and len(body["taskNo"]) == 20


async def test_healthz(service: Service) -> None:
    response = await service.http.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_maintenance_and_product_switch_come_before_anything_else(service: Service) -> None:
    service.store.set_switch("maintenance", True)
    service.store.set_switch("product", False)
    # Not even a body is needed: these answer before reading it.
    body = await service.post({})
    assert (body["code"], body["msg"]) == (500, "系统维护,请稍候再试")
    service.store.set_switch("maintenance", False)
    time.sleep(1.05)
    body = await service.post({})
    assert (body["code"], body["msg"]) == (604, "接口停用")


async def test_a_running_server_obeys_a_switch_within_one_second(service: Service) -> None:
    caller = service.account(balance=10)
    assert (await service.post_photo(caller))["code"] == 200
    service.store.set_switch("maintenance", True)
    time.sleep(1.05)
    assert (await service.post_photo(caller))["code"] == 500
    service.store.set_switch("maintenance", False)
    time.sleep(1.05)
    assert (await service.post_photo(caller))["code"] == 200
    assert service.balance(caller) == 8


async def test_missing_fields_are_named(service: Service) -> None:
    caller = service.account()
    for missing in ("appId", "timestamp", "sign"):
        fields = caller.signed()
        del fields[missing]
        body = await service.post(fields, files={"file": ("c.jpg", jpeg_bytes())})
        assert (body["code"], body["msg"]) == (400, f"参数错误: {missing} 缺失")
    body = await service.post(caller.signed())
    assert (body["code"], body["msg"]) == (400, "参数错误: file、base64、url 必须提供一个")
    assert service.balance(caller) == 100


async def test_unknown_app_id_and_wrong_sign_look_the_same(service: Service) -> None:
    caller = service.account()
    wrong_sign = await expect(service, caller, 400, "参数错误: appId 或 sign 不正确", sign="0" * 64)
    stranger = Caller("no-such-app", caller.secret)
    unknown = await expect(service, stranger, 400, "参数错误: appId 或 sign 不正确")
    assert wrong_sign["msg"] == unknown["msg"]
    # A disabled, unsubscribed, broke account with a wrong sign still only hears "wrong sign".
    service.store.update_account(caller.app_id, enabled=False, subscribed=False, balance=0)
    await expect(service, caller, 400, "参数错误: appId 或 sign 不正确", sign="0" * 64)
    # Nothing was recorded for calls that never authenticated.
    assert service.store.usage(caller.app_id) == []


async def test_sign_is_compared_case_insensitively(service: Service) -> None:
    caller = service.account()
    fields = caller.signed()
    fields["sign"] = fields["sign"].upper()
    body = await service.post(fields, files={"file": ("c.jpg", jpeg_bytes())})
    assert body["code"] == 200 and body["charge"] is True


async def test_timestamp_outside_the_window_is_610(service: Service) -> None:
    caller = service.account()
    now_ms = int(time.time() * 1000)
    await expect(service, caller, 610, "请求超时", timestamp_ms=now_ms - 301_000)
    await expect(service, caller, 610, "请求超时", timestamp_ms=now_ms + 301_000)
    assert (await service.post_photo(caller, timestamp_ms=now_ms - 250_000))["code"] == 200
    body = await service.post(caller.signed() | {"timestamp": "12x"}, files={"file": ("c.jpg", jpeg_bytes())})
    assert (body["code"], body["msg"]) == (400, "参数错误: timestamp 格式不正确")


async def test_a_timestamp_in_seconds_is_610_with_a_hint(service: Service) -> None:
    caller = service.account()
    now_s = int(time.time())
    hint = "请求超时: timestamp 应为毫秒(13 位),收到的是秒(10 位)"
    await expect(service, caller, 610, hint, timestamp_ms=now_s)
    # A stale 13-digit timestamp keeps the contract's words alone.
    await expect(service, caller, 610, "请求超时", timestamp_ms=now_s * 1000 - 301_000)


async def test_timestamp_window_is_configurable(service_factory: ServiceFactory) -> None:
    service = service_factory(timestamp_window_s=10)
    caller = service.account()
    await expect(service, caller, 610, "请求超时", timestamp_ms=int(time.time() * 1000) - 20_000)
    await service.http.aclose()


async def test_account_checks_follow_the_contract_order(service_factory: ServiceFactory) -> None:
    service = service_factory(client_ip="192.0.2.7")
    caller = service.account(balance=0, qps=1, daily_quota=1, ip_allow=["10.0.0.0/8"], subscribed=False)
    service.store.update_account(caller.app_id, enabled=False)
    stale = int(time.time() * 1000) - 400_000
    await expect(service, caller, 610, "请求超时", timestamp_ms=stale)
    await expect(service, caller, 602, "账号停用")
    service.store.update_account(caller.app_id, enabled=True)
    await expect(service, caller, 607, "ip不在白名单")
    service.store.update_account(caller.app_id, ip_allow=["192.0.2.0/24"])
    await expect(service, caller, 601, "接口未开通")
    service.store.update_account(caller.app_id, subscribed=True)
    await expect(service, caller, 603, "余额不足请充值")  # counts as the one call this second
    await expect(service, caller, 609, "请求过于频繁,请稍候再试")
    service.store.update_account(caller.app_id, balance=5)
    time.sleep(1.05)
    assert (await service.post_photo(caller))["charge"] is True
    time.sleep(1.05)
    await expect(service, caller, 606, "调用超限,请稍候再试")
    assert service.balance(caller) == 4 and service.billed(caller) == 1
    # Every authenticated outcome is on record; only one was billed.
    usage = service.store.usage(caller.app_id)[0]
    assert usage.by_code == {200: 1, 601: 1, 602: 1, 603: 1, 606: 1, 607: 1, 609: 1, 610: 1}
    await service.http.aclose()


async def test_ip_whitelist_admits_listed_peers(service_factory: ServiceFactory) -> None:
    service = service_factory(client_ip="10.1.2.3")
    caller = service.account(ip_allow=["10.0.0.0/8", "2001:db8::/32"])
    assert (await service.post_photo(caller))["code"] == 200
    await service.http.aclose()


async def test_forwarded_for_header_is_not_trusted(service_factory: ServiceFactory) -> None:
    service = service_factory(client_ip="192.0.2.7")
    caller = service.account(ip_allow=["10.0.0.0/8"])
    response = await service.http.post(
        "/ocr/idcard-v1",
        data=caller.signed(),
        files={"file": ("c.jpg", jpeg_bytes())},
        headers={"X-Forwarded-For": "10.0.0.1", "X-Real-IP": "10.0.0.1"},
    )
    assert response.json()["code"] == 607
    await service.http.aclose()


async def test_no_text_is_301(service_factory: ServiceFactory) -> None:
    service = service_factory(recognizer=StubRecognizer(answer=Recognition(text_found=False)))
    caller = service.account(balance=1)
    await expect(service, caller, 301, "识别失败")
    assert service.balance(caller) == 1
    await service.http.aclose()


async def test_engine_failure_is_301_and_undecodable_image_is_400(service_factory: ServiceFactory) -> None:
    service = service_factory(recognizer=StubRecognizer(answer=RuntimeError("onnx exploded")))
    caller = service.account(balance=1)
    await expect(service, caller, 301, "识别失败")
    service.recognizer.answer = ImageDecodeError("truncated")
    await expect(service, caller, 400, "照片格式不正确")
    assert service.balance(caller) == 1
    await service.http.aclose()


async def test_slow_recognition_is_610_and_not_billed(service_factory: ServiceFactory) -> None:
    service = service_factory(recognizer=StubRecognizer(delay_s=1.0), recognition_timeout_s=0.2)
    caller = service.account(balance=1)
    started = time.perf_counter()
    await expect(service, caller, 610, "请求超时")
    assert time.perf_counter() - started < 0.9
    assert service.balance(caller) == 1 and service.billed(caller) == 0
    await service.http.aclose()


async def test_unexpected_error_is_999_without_details(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = service.account(daily_quota=10)

    def broken(*_args: object) -> int:
        raise RuntimeError("database said: secret detail")

    monkeypatch.setattr(service.store, "billed_on", broken)
    response = await service.http.post(
        "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["msg"], body["charge"]) == (999, "其他", False)
    assert "secret" not in response.text and "Traceback" not in response.text
    assert service.balance(caller) == 100

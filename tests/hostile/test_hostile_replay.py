"""The vendor's sign covers appId and timestamp, not the body: a captured request can be replayed.

Without the per-account replay guard a replay with another photo inside the timestamp window is
accepted and billed to the victim (the scheme's known weakness, kept for compatibility); with
``replay_guard`` on, a sign is accepted once and every replay gets 610, unbilled.
"""

from __future__ import annotations

import pytest

from tests.api.support import Service, jpeg_bytes, png_bytes
from tests.hostile.hostile_support import assert_refused_unbilled, ledger_state

pytestmark = pytest.mark.anyio


async def test_without_the_guard_a_captured_sign_is_replayable_with_another_photo(service: Service) -> None:
    victim = service.account(balance=5)
    captured = victim.signed()
    for photo in (jpeg_bytes(), png_bytes(200, 120)):  # the replay swaps in the attacker's photo
        body = await service.post(captured, files={"file": ("p", photo)})
        assert (body["code"], body["charge"]) == (200, True)
    assert ledger_state(service, victim).balance == 3  # documented weakness: both were billed


async def test_with_the_guard_a_sign_is_accepted_once(service: Service) -> None:
    victim = service.account(balance=5)
    service.store.update_account(victim.app_id, replay_guard=True)
    captured = victim.signed()
    first = await service.post(captured, files={"file": ("p", jpeg_bytes())})
    assert (first["code"], first["charge"]) == (200, True)
    before = ledger_state(service, victim)
    for sign in (captured["sign"], captured["sign"].upper()):  # case does not make it new
        replay = await service.post({**captured, "sign": sign}, files={"file": ("p", png_bytes(200, 120))})
        assert_refused_unbilled(replay, before, ledger_state(service, victim), 610, "请求超时")
    fresh = await service.post(
        victim.signed(timestamp_ms=int(captured["timestamp"]) + 1), files={"file": ("p", jpeg_bytes())}
    )
    assert (fresh["code"], fresh["charge"]) == (200, True)  # a new timestamp is a new sign

"""Fixtures of the SDK tests: a scripted server, a ticking clock, recorded back-off sleeps."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from client_fakes import ScriptedApi

from idcard_ocr.client import _sign


@pytest.fixture
def scripted() -> Callable[..., ScriptedApi]:
    """``scripted(answer, answer, ...)`` -> a ScriptedApi; pass ``.transport()`` to the client."""
    return lambda *answers: ScriptedApi(list(answers))


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Make each call for a timestamp return a later one; yields the timestamps handed out."""
    handed_out: list[int] = []

    def next_timestamp() -> int:
        handed_out.append(1_700_000_000_000 + 1000 * len(handed_out))
        return handed_out[-1]

    monkeypatch.setattr(_sign, "current_timestamp_ms", next_timestamp)
    yield handed_out


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the back-off sleeps of both clients instead of waiting; returns the delays asked for."""
    delays: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr("idcard_ocr.client._sync.time.sleep", delays.append)
    monkeypatch.setattr("idcard_ocr.client._async.asyncio.sleep", fake_async_sleep)
    return delays

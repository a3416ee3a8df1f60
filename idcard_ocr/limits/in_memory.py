"""Rate limiter and replay guard for a single process (the default when no Redis is set).

Both are thread-safe behind one lock each; the work per call is tiny, so a lock is cheaper than
anything cleverer. Memory stays bounded by the number of keys active in the last window: idle
keys are swept as time passes.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Callable

from idcard_ocr.limits.base import check_per_second, check_ttl

Clock = Callable[[], float]

_WINDOW_S = 1.0
# Sweep idle rate keys at most this often, so a busy server does not scan on every call.
_SWEEP_EVERY_S = 5.0


class InMemoryRateLimiter:
    """Sliding-window log: the time of each allowed call in the last second, per key."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}
        self._next_sweep = clock() + _SWEEP_EVERY_S

    def allow(self, key: str, per_second: int) -> bool:
        """True and counted when under ``per_second`` allowed calls in the last second."""
        check_per_second(per_second)
        with self._lock:
            now = self._clock()
            if now >= self._next_sweep:
                self._sweep(now)
            calls = self._calls.setdefault(key, deque())
            # A call exactly one second old has left the window (window is (now - 1 s, now]).
            while calls and calls[0] <= now - _WINDOW_S:
                calls.popleft()
            if len(calls) >= per_second:
                return False
            calls.append(now)
            return True

    def _sweep(self, now: float) -> None:
        idle = [k for k, calls in self._calls.items() if not calls or calls[-1] <= now - _WINDOW_S]
        for key in idle:
            del self._calls[key]
        self._next_sweep = now + _SWEEP_EVERY_S

    def __len__(self) -> int:
        """Number of keys currently tracked (for tests and metrics)."""
        with self._lock:
            return len(self._calls)


class InMemoryReplayGuard:
    """Key -> expiry time, with a heap of expiries so stale keys are dropped in order."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []

    def first_use(self, key: str, ttl_s: float) -> bool:
        """True the first time ``key`` is seen within ``ttl_s`` seconds (and remember it)."""
        check_ttl(ttl_s)
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            if key in self._expiry:
                return False
            expires = now + ttl_s
            self._expiry[key] = expires
            heapq.heappush(self._heap, (expires, key))
            return True

    def _drop_expired(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires, key = heapq.heappop(self._heap)
            # Only forget the key if this heap entry is its current expiry.
            if self._expiry.get(key) == expires:
                del self._expiry[key]

    def __len__(self) -> int:
        """Number of keys remembered now (for tests and metrics)."""
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._expiry)

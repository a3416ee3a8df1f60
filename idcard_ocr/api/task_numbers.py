"""taskNo: 20 decimal digits, unique across worker processes and restarts.

Layout: 13-digit Unix time in milliseconds + 3-digit node id (allocated by the store at start-up,
unique among live processes) + 4-digit sequence within the millisecond. Numbers from one process
never repeat and always increase, even when the wall clock steps backwards: the generator keeps
using its last millisecond (borrowing the next one when 10 000 numbers are used up) until the clock
catches up again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

SEQUENCE_SPAN = 10_000


class TaskNumbers:
    """Thread-safe taskNo generator for one process."""

    def __init__(self, node_id: int, clock_ms: Callable[[], int] | None = None) -> None:
        if not 0 <= node_id <= 999:
            raise ValueError(f"node id must be 0..999, got {node_id}")
        self._node = f"{node_id:03d}"
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._last_ms = -1
        self._sequence = 0

    def next(self) -> str:
        """A new taskNo."""
        with self._lock:
            now = self._clock_ms()
            if now > self._last_ms:
                self._last_ms, self._sequence = now, 0
            else:
                # Same millisecond, or the clock went backwards: continue from where we were.
                self._sequence += 1
                if self._sequence >= SEQUENCE_SPAN:
                    self._last_ms, self._sequence = self._last_ms + 1, 0
            return f"{self._last_ms:013d}{self._node}{self._sequence:04d}"

"""The line of calls waiting for this worker's recognisers, and the 609 that keeps it servable.

A call joins the line when it passes the rate check and leaves it when its recognition ends
(or when a later check refuses it). Before joining, the line estimates when the newcomer would
be done: with ``pool`` recognisers and ``ahead`` calls already in line, it finishes in about
``ceil((ahead + 1) / pool)`` recognition times, the recognition time being the median of the
last few measured here. When that passes the recognition deadline the newcomer would only wait
for a 610, so it is refused at once with 609 (try again shortly), unbilled, using no CPU.

A call that would find a recogniser free is never refused (turning it away helps nobody, and
it keeps the estimate fresh after a slow spell); nor is anything before a first recognition has
been measured, when the estimate would be a guess.
"""

from __future__ import annotations

import math
import statistics
import threading
from collections import deque

RECENT_SAMPLES = 32


class RecognitionLine:
    """Calls admitted to recognition on this worker, and how long recognitions take lately."""

    def __init__(self, pool: int, deadline_s: float, recent: int = RECENT_SAMPLES) -> None:
        self._pool = max(1, pool)
        self._deadline_s = deadline_s
        self._recent: deque[float] = deque(maxlen=recent)
        self._in_line = 0
        self._lock = threading.Lock()

    @property
    def in_line(self) -> int:
        """Calls admitted and not yet done recognising."""
        return self._in_line

    def typical_s(self) -> float | None:
        """The median of the recent recognition times; None before the first."""
        with self._lock:
            return statistics.median(self._recent) if self._recent else None

    def would_be_late(self, ahead: int, typical_s: float | None) -> bool:
        """Whether a call joining behind ``ahead`` others would finish past the deadline."""
        if typical_s is None or ahead < self._pool:
            return False
        return math.ceil((ahead + 1) / self._pool) * typical_s > self._deadline_s

    def try_join(self) -> bool:
        """Join the line unless the newcomer could not be served within the deadline."""
        typical = self.typical_s()
        with self._lock:
            if self.would_be_late(self._in_line, typical):
                return False
            self._in_line += 1
            return True

    def leave(self) -> None:
        """One call left the line (recognised, failed, timed out or refused later)."""
        with self._lock:
            self._in_line = max(0, self._in_line - 1)

    def observe(self, seconds: float) -> None:
        """Record how long one recognition took on a recogniser (its queueing excluded)."""
        with self._lock:
            self._recent.append(seconds)

"""The operator's global switches (maintenance, product on/off), re-read from the store at most
every ``switch_refresh_s`` so a running server obeys ``idcard-ocr`` within about a second without
a database read on every request."""

from __future__ import annotations

import threading
import time

from idcard_ocr.storage.base import Store, Switches


class SwitchCache:
    """Thread-safe cached view of ``store.get_switches()``."""

    def __init__(self, store: Store, refresh_s: float) -> None:
        self._store = store
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._value: Switches | None = None
        self._read_at = float("-inf")

    def is_stale(self) -> bool:
        """True when the next ``current()`` will read the store."""
        return time.monotonic() - self._read_at >= self._refresh_s

    def current(self) -> Switches:
        """The switches, from the store when the cached value is older than the refresh period."""
        if not self.is_stale() and self._value is not None:
            return self._value
        with self._lock:
            if self.is_stale() or self._value is None:
                self._value = self._store.get_switches()
                self._read_at = time.monotonic()
            return self._value

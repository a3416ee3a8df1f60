"""The operator's global switches (maintenance, product on/off), cached so requests need no query.

Each process keeps the switches for half of ``settings.switch_refresh_s``. With Redis, the
process then reads the copy the fleet shares there (written with the same half-period expiry by
whichever process read the store last), and only on a miss asks the store: it is handed the one
call that reads them (``store.get_switches``), nothing else of the store. A switch flipped in
the database is therefore obeyed everywhere within ``switch_refresh_s`` (one second by default),
while the database sees about two reads a second in all instead of one per worker per second.
Redis trouble never stops the service: the process reads the store itself, as without Redis.

Same surface as the per-process cache in the service (``current()``, ``is_stale()``)::

    switches = make_switch_cache(store.get_switches, settings.redis_url, settings.switch_refresh_s)
    if switches.current().maintenance: ...
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import redis

from idcard_ocr.limits.redis_backed import connect
from idcard_ocr.switches import Switches

log = logging.getLogger("idcard_ocr.limits")

DEFAULT_SWITCHES_KEY = "idcard:switches"
Clock = Callable[[], float]
ReadSwitches = Callable[[], Switches]  # the store's get_switches


class LocalSwitchCache:
    """Per-process cache: ``read_switches()`` (the store) at most once per ``refresh_s``."""

    def __init__(self, read_switches: ReadSwitches, refresh_s: float, clock: Clock = time.monotonic) -> None:
        self._read_switches = read_switches
        self._hold_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._value: Switches | None = None
        self._read_at = float("-inf")

    def is_stale(self) -> bool:
        """True when the next ``current()`` will leave the process (store or Redis)."""
        return self._value is None or self._clock() - self._read_at >= self._hold_s

    def current(self) -> Switches:
        """The switches, refreshed when the local copy has expired."""
        value = self._value
        if value is not None and not self.is_stale():
            return value
        with self._lock:  # one refresh at a time; the others wait for its answer
            if self._value is None or self.is_stale():
                self._value = self._fetch()
                self._read_at = self._clock()
            return self._value

    def _fetch(self) -> Switches:
        return self._read_switches()


class RedisSwitchCache(LocalSwitchCache):
    """Per-process copy for ``refresh_s / 2`` backed by a fleet-wide copy in Redis for as long."""

    def __init__(
        self,
        read_switches: ReadSwitches,
        client: redis.Redis,
        refresh_s: float,
        key: str = DEFAULT_SWITCHES_KEY,
        clock: Clock = time.monotonic,
    ) -> None:
        # Local and shared copies each live half the period, so together at most the period.
        super().__init__(read_switches, refresh_s / 2, clock)
        self._client = client
        self._key = key
        self._shared_ttl_ms = max(1, round(refresh_s * 1000 / 2))

    def _fetch(self) -> Switches:
        try:
            shared = self._client.get(self._key)
            if shared is not None:
                return _decode(shared)
        except (redis.RedisError, ValueError, KeyError) as exc:
            log.warning("shared switches unavailable (%s); reading the store", type(exc).__name__)
            return self._read_switches()
        fresh = self._read_switches()
        try:
            self._client.set(self._key, _encode(fresh), px=self._shared_ttl_ms)
        except redis.RedisError as exc:
            log.warning("shared switches not written (%s)", type(exc).__name__)
        return fresh

    def invalidate(self) -> None:
        """Drop the shared copy, e.g. right after an operator flips a switch."""
        with self._lock:
            self._value = None
            try:
                self._client.delete(self._key)
            except redis.RedisError as exc:
                log.warning("shared switches not dropped (%s)", type(exc).__name__)


def _encode(switches: Switches) -> str:
    return json.dumps({"maintenance": switches.maintenance, "product_enabled": switches.product_enabled})


def _decode(raw: bytes | str) -> Switches:
    values = json.loads(raw)
    if not isinstance(values, dict):
        raise ValueError("shared switches are not an object")
    return Switches(maintenance=bool(values["maintenance"]), product_enabled=bool(values["product_enabled"]))


def make_switch_cache(
    read_switches: ReadSwitches, redis_url: str | None, refresh_s: float
) -> LocalSwitchCache:
    """A Redis-shared cache when ``redis_url`` is set (non-empty), else a per-process one."""
    if redis_url:
        return RedisSwitchCache(read_switches, connect(redis_url), refresh_s)
    return LocalSwitchCache(read_switches, refresh_s)

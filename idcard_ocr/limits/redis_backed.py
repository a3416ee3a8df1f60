"""Rate limiter and replay guard shared through Redis by several worker processes or hosts.

Both use the Redis server's clock (``TIME`` inside the script, ``PX`` expiry), so hosts whose
clocks disagree still share one window. Every key expires on its own; nothing needs cleaning.
Connection or protocol failures surface as :class:`LimitsBackendError`.
"""

from __future__ import annotations

import secrets
from typing import Any

import redis

from idcard_ocr.limits.base import LimitsBackendError, check_per_second, check_ttl

# Sliding-window log in a sorted set: score = time of an allowed call (seconds with
# microseconds, built as a string because Lua's number formatting would round a microsecond
# timestamp). Trim calls at least one second old, count, add this call only if under the limit.
# The whole script runs atomically, so concurrent callers cannot both take the last slot.
_SLIDING_WINDOW_LUA = """
local t = redis.call('TIME')
local now = t[1] .. '.' .. string.format('%06d', tonumber(t[2]))
local window_start = (tonumber(t[1]) - 1) .. '.' .. string.format('%06d', tonumber(t[2]))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', window_start)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], 2000)
return 1
"""

DEFAULT_RATE_PREFIX = "idcard:rate:"
DEFAULT_REPLAY_PREFIX = "idcard:replay:"
# Short timeouts: a stalled Redis should fail a request quickly, not hold a worker.
_SOCKET_TIMEOUT_S = 2.0


def connect(redis_url: str) -> redis.Redis:
    """A client for ``redis_url`` with short socket timeouts (no round trip is made yet)."""
    return redis.Redis.from_url(
        redis_url, socket_timeout=_SOCKET_TIMEOUT_S, socket_connect_timeout=_SOCKET_TIMEOUT_S
    )


class RedisRateLimiter:
    """Sliding one-second window per key, atomic across every client of the same Redis."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_RATE_PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self._script: Any = client.register_script(_SLIDING_WINDOW_LUA)

    def allow(self, key: str, per_second: int) -> bool:
        """True and counted when under ``per_second`` allowed calls in the last second."""
        check_per_second(per_second)
        # The random member keeps two calls in the same microsecond from collapsing into one.
        member = secrets.token_hex(8)
        try:
            allowed = self._script(keys=[self._prefix + key], args=[per_second, member])
        except redis.RedisError as exc:
            raise LimitsBackendError(f"rate limiter: {type(exc).__name__}: {exc}") from exc
        return int(allowed) == 1


class RedisReplayGuard:
    """``SET key NX PX ttl``: only the first writer within the time to live succeeds."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_REPLAY_PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    def first_use(self, key: str, ttl_s: float) -> bool:
        """True the first time ``key`` is seen within ``ttl_s`` seconds (and remember it)."""
        check_ttl(ttl_s)
        ttl_ms = max(1, round(ttl_s * 1000))
        try:
            created = self._client.set(self._prefix + key, b"1", nx=True, px=ttl_ms)
        except redis.RedisError as exc:
            raise LimitsBackendError(f"replay guard: {type(exc).__name__}: {exc}") from exc
        return bool(created)

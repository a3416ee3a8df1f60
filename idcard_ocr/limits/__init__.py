"""Per-account rate limiting (code 609) and the replay guard for request signatures.

In one process by default; shared through Redis when ``IDCARD_REDIS_URL`` is set, so several
worker processes or hosts enforce one limit. Pick the implementation with the factories::

    limiter = make_rate_limiter(settings.redis_url)
    if not limiter.allow(app_id, account.qps):
        ...  # answer 609
    guard = make_replay_guard(settings.redis_url)
    if not guard.first_use(sign, settings.timestamp_window_s):
        ...  # a replayed request

Redis failures raise :class:`LimitsBackendError`; the service chooses how to answer.
"""

from __future__ import annotations

from idcard_ocr.limits.base import LimitsBackendError, RateLimiter, ReplayGuard
from idcard_ocr.limits.in_memory import InMemoryRateLimiter, InMemoryReplayGuard
from idcard_ocr.limits.redis_backed import RedisRateLimiter, RedisReplayGuard, connect


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    """A Redis-backed limiter when ``redis_url`` is set (non-empty), else an in-process one."""
    if redis_url:
        return RedisRateLimiter(connect(redis_url))
    return InMemoryRateLimiter()


def make_replay_guard(redis_url: str | None) -> ReplayGuard:
    """A Redis-backed guard when ``redis_url`` is set (non-empty), else an in-process one."""
    if redis_url:
        return RedisReplayGuard(connect(redis_url))
    return InMemoryReplayGuard()


__all__ = [
    "InMemoryRateLimiter",
    "InMemoryReplayGuard",
    "LimitsBackendError",
    "RateLimiter",
    "RedisRateLimiter",
    "RedisReplayGuard",
    "ReplayGuard",
    "make_rate_limiter",
    "make_replay_guard",
]

"""The two small interfaces the HTTP service uses to refuse excess or replayed requests."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class LimitsBackendError(RuntimeError):
    """The shared store behind a limiter (Redis) could not be reached or answered wrongly.

    The caller decides whether to fail open or closed; the limiter never guesses.
    """


@runtime_checkable
class RateLimiter(Protocol):
    """Per-key request rate over a sliding one-second window."""

    def allow(self, key: str, per_second: int) -> bool:
        """True when fewer than ``per_second`` calls for ``key`` were allowed in the last second.

        An allowed call is counted; a refused one is not, so a caller that keeps retrying gets
        through again as soon as the window has room. ``per_second`` must be at least 1.
        """
        ...


@runtime_checkable
class ReplayGuard(Protocol):
    """Remembers keys (request signatures) for a while so each is accepted only once."""

    def first_use(self, key: str, ttl_s: float) -> bool:
        """True the first time ``key`` is seen within ``ttl_s`` seconds; False for a repeat."""
        ...


def check_per_second(per_second: int) -> None:
    """Refuse a limit below 1: an unlimited account should skip the check, not pass 0."""
    if per_second < 1:
        raise ValueError(f"per_second must be at least 1, got {per_second}")


def check_ttl(ttl_s: float) -> None:
    """Refuse a non-positive time to live, which would make every key look new."""
    if not ttl_s > 0:
        raise ValueError(f"ttl_s must be positive, got {ttl_s}")

"""Daily quota counters (code 606) kept in Redis, so the early check costs no database query.

The ledger stays the authority: ``Store.finish_call`` counts today's billed calls inside the
charging transaction and refuses the one past the quota, whatever Redis says. The counter only
lets the early 606 check (before the photo is read and recognised) skip ``store.billed_on``.
Its errors are therefore always on the safe side:

- a counter that is missing, unreachable or behind says "unknown" or too little; the request is
  recognised and then refused by the store, which costs CPU but never bills past the quota;
- a count at or over the quota is confirmed from the ledger before anyone is refused
  (:func:`quota_used_up`), so a counter that drifted high never refuses a paying call.

Keys are ``<prefix><appId>:<YYYY-MM-DD>`` for the server-local day (the same day the ledger
uses, so every server must run in one time zone) and expire two days after they are written.

The ledger is reached through the one call that counts (``store.billed_on``), handed in where
it is needed; nothing else of the store. Wiring, in the service's admission step and after
charging::

    counter = make_quota_counter(settings.redis_url)
    if account.daily_quota is not None and quota_used_up(counter, store.billed_on, app_id, quota):
        ...  # 606
    outcome = store.finish_call(...)
    if outcome is ChargeOutcome.CHARGED:
        counter.record_billed(app_id)
    elif outcome is ChargeOutcome.QUOTA_EXCEEDED:
        counter.reconcile(store.billed_on, app_id)  # the counter was behind the ledger
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol, runtime_checkable

import redis

from idcard_ocr.limits.redis_backed import connect

log = logging.getLogger("idcard_ocr.limits")

DEFAULT_QUOTA_PREFIX = "idcard:quota:"
KEY_TTL_S = 2 * 24 * 3600
Today = Callable[[], date]
BilledOn = Callable[[str, date], int]  # the ledger's billed calls of an account on a day

# Count a billed call only where a count exists: a key created by INCR would start from 1 and
# undercount the calls billed before it; a missing key means "unknown", which is honest.
_INCR_IF_PRESENT_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCR', KEYS[1])
end
return false
"""


@runtime_checkable
class QuotaCounter(Protocol):
    """Today's billed calls per account, as a hint for the early 606 check."""

    def billed_today(self, app_id: str) -> int | None:
        """Billed calls of ``app_id`` today, or None when unknown (then ask the store)."""
        ...

    def record_billed(self, app_id: str) -> None:
        """Count one call just charged to ``app_id``."""
        ...

    def reconcile(self, billed_on: BilledOn, app_id: str) -> int:
        """Reset the count from the ledger (``billed_on``); returns the ledger's count."""
        ...


class NoQuotaCounter:
    """No shared counter (the default without Redis): every early check asks the store."""

    def billed_today(self, app_id: str) -> int | None:
        """Always unknown."""
        return None

    def record_billed(self, app_id: str) -> None:
        """Nothing to count."""

    def reconcile(self, billed_on: BilledOn, app_id: str) -> int:
        """The ledger's count for today (nothing is kept)."""
        return billed_on(app_id, date.today())


class RedisQuotaCounter:
    """Per-account, per-day counters in Redis, shared by every worker and host."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_QUOTA_PREFIX, today: Today = date.today):
        self._client = client
        self._prefix = prefix
        self._today = today
        self._incr: Any = client.register_script(_INCR_IF_PRESENT_LUA)

    def key(self, app_id: str, day: date | None = None) -> str:
        """The Redis key holding ``app_id``'s count for ``day`` (default today)."""
        return f"{self._prefix}{app_id}:{(day or self._today()).isoformat()}"

    def billed_today(self, app_id: str) -> int | None:
        """Today's count from Redis; None when absent or when Redis does not answer."""
        try:
            value = self._client.get(self.key(app_id))
        except redis.RedisError as exc:
            log.warning("quota counter unavailable (%s); asking the store", type(exc).__name__)
            return None
        return int(value) if value is not None else None

    def record_billed(self, app_id: str) -> None:
        """Add one to today's count if a count exists (else it stays unknown)."""
        try:
            self._incr(keys=[self.key(app_id)])
        except redis.RedisError as exc:
            # Left behind by one: the store still enforces the quota exactly.
            log.warning("quota counter not updated (%s)", type(exc).__name__)

    def reconcile(self, billed_on: BilledOn, app_id: str) -> int:
        """Overwrite today's count with the ledger's; returns it (even if Redis is down)."""
        day = self._today()
        billed = billed_on(app_id, day)
        try:
            self._client.set(self.key(app_id, day), billed, ex=KEY_TTL_S)
        except redis.RedisError as exc:
            log.warning("quota counter not reset (%s)", type(exc).__name__)
        return billed


def make_quota_counter(redis_url: str | None, prefix: str = DEFAULT_QUOTA_PREFIX) -> QuotaCounter:
    """A Redis counter when ``redis_url`` is set (non-empty), else :class:`NoQuotaCounter`."""
    if redis_url:
        return RedisQuotaCounter(connect(redis_url), prefix)
    return NoQuotaCounter()


def quota_used_up(counter: QuotaCounter, billed_on: BilledOn, app_id: str, daily_quota: int) -> bool:
    """The early 606 check: True when ``app_id`` has used its ``daily_quota`` today.

    Trusts the counter only to say "not yet"; "unknown" and "used up" are settled by the ledger
    (which also primes or corrects the counter), so a drifted counter never refuses wrongly.
    """
    billed = counter.billed_today(app_id)
    if billed is not None and billed < daily_quota:
        return False
    return counter.reconcile(billed_on, app_id) >= daily_quota


class QuotaHolder(Protocol):
    """An account as far as quotas go (the store's ``Account`` is one)."""

    @property
    def app_id(self) -> str: ...

    @property
    def daily_quota(self) -> int | None: ...


def reconcile_all(counter: QuotaCounter, billed_on: BilledOn, accounts: Iterable[QuotaHolder]) -> int:
    """Reset the counters of those ``accounts`` (``store.list_accounts()``) that have a daily
    quota, at start-up; returns how many."""
    done = 0
    for account in accounts:
        if account.daily_quota is not None:
            counter.reconcile(billed_on, account.app_id)
            done += 1
    return done

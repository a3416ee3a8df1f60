"""The storage interface: accounts, global switches and the ledger.

The HTTP service and the CLI depend on :class:`Store` alone; ``idcard_ocr.storage.sql`` implements
it on SQLAlchemy for SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from idcard_ocr.switches import Switches

SwitchName = Literal["maintenance", "product"]


@dataclass(frozen=True)
class Account:
    app_id: str
    name: str
    balance: int
    qps: int | None  # calls per second; None = unlimited
    daily_quota: int | None  # billed calls per calendar day (server time zone); None = unlimited
    ip_allow: tuple[str, ...]  # CIDRs; empty = any address
    enabled: bool
    subscribed: bool
    created_at: datetime
    replay_guard: bool = False  # refuse a sign already accepted within the timestamp window


class ChargeOutcome(enum.Enum):
    CHARGED = "charged"
    NOT_BILLED = "not_billed"  # the call was recorded without a charge
    INSUFFICIENT_BALANCE = "insufficient_balance"  # 603: lost a race for the last units
    QUOTA_EXCEEDED = "quota_exceeded"  # 606: lost a race for the last call of the day


class HoldOutcome(enum.Enum):
    HELD = "held"  # the price (and a quota unit) is reserved for this call
    INSUFFICIENT_BALANCE = "insufficient_balance"  # 603: the balance less open holds cannot pay
    QUOTA_EXCEEDED = "quota_exceeded"  # 606: today's billed calls and open holds reach the quota


@dataclass(frozen=True)
class Hold:
    """The price of one call in flight, reserved until the call ends or ``expires_at`` (naive UTC)."""

    task_no: str
    app_id: str
    amount: int
    day: date
    expires_at: datetime


@dataclass(frozen=True)
class CallRecord:
    """One authenticated call as it ended. Never carries image bytes or recognised fields."""

    task_no: str
    app_id: str
    code: int
    elapsed_ms: float
    at: datetime


@dataclass(frozen=True)
class UsageRow:
    app_id: str
    calls: int
    billed: int
    by_code: dict[int, int] = field(default_factory=dict)


class AccountNotFound(LookupError):
    pass


class ConfigError(RuntimeError):
    """Storage cannot start as configured (missing or wrong key, database behind its migrations)."""


class SecretKeyMismatch(ConfigError):
    """A stored app secret was encrypted under a key this process does not hold."""


class Store(Protocol):
    # Accounts
    def create_account(
        self,
        *,
        name: str = "",
        balance: int = 0,
        qps: int | None = None,
        daily_quota: int | None = None,
        ip_allow: Sequence[str] = (),
        subscribed: bool = True,
    ) -> tuple[Account, str]:
        """Create an account; returns it with its app secret, which is shown only this once."""
        ...

    def get_account(self, app_id: str) -> Account | None: ...

    def get_secret(self, app_id: str) -> str | None:
        """The decrypted app secret, for checking a sign; None for an unknown appId."""
        ...

    def update_account(self, app_id: str, **changes: object) -> Account:
        """Change any of: name, balance, qps, daily_quota, ip_allow, enabled, subscribed, replay_guard.

        ``topup=N`` adds N to the balance atomically. Raises AccountNotFound.
        """
        ...

    def list_accounts(self) -> list[Account]: ...

    # Global switches
    def get_switches(self) -> Switches: ...

    def set_switch(self, name: SwitchName, on: bool) -> Switches: ...

    # Calls and the ledger
    def billed_on(self, app_id: str, day: date) -> int:
        """Billed calls of an account on a calendar day (for the early 606 check)."""
        ...

    def place_hold(
        self, task_no: str, app_id: str, *, price: int, daily_quota: int | None, at: datetime, ttl_s: float
    ) -> HoldOutcome:
        """Reserve ``price`` (and one of today's ``daily_quota`` calls) for the call ``task_no``.

        In one transaction with the account locked: 606 when today's billed calls and open holds
        reach the quota, 603 when the balance less the open holds cannot pay ``price``; otherwise
        the hold is written and lasts ``ttl_s`` unless :meth:`finish_call` settles it first.
        Holds of the account that expired are deleted on the way (their worker died).
        """
        ...

    def release_hold(self, task_no: str) -> bool:
        """Drop the hold of ``task_no`` without charging; False when there was none."""
        ...

    def open_holds(self, app_id: str | None = None) -> list[Hold]:
        """Holds not yet settled, released or deleted (expired ones included), oldest first."""
        ...

    def reclaim_expired_holds(self, now: datetime | None = None) -> int:
        """Delete every hold whose time ran out (by ``now``, naive UTC); returns how many."""
        ...

    def finish_call(self, record: CallRecord, *, price: int, daily_quota: int | None) -> ChargeOutcome:
        """Record a call; when ``price`` > 0 also charge it, in one transaction.

        The call's hold, if any, is consumed: turned into the charge, or dropped when ``price``
        is 0. With its hold still open the charge is already covered; without one (it expired)
        the charge happens only if the balance less other calls' open holds still covers
        ``price`` and, with a quota, today's billed calls and other open holds are fewer than
        ``daily_quota``; otherwise the call is recorded with code 603 or 606 and nothing is
        charged. A ``task_no`` is billed at most once.
        """
        ...

    def usage(self, app_id: str | None = None, since: date | None = None) -> list[UsageRow]: ...

    def allocate_node_id(self) -> int:
        """A number unique among live processes, for building taskNo values (0..999)."""
        ...

    def close(self) -> None: ...

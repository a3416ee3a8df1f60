"""Holding a call's price, recording calls and charging them, each in one transaction.

"Today", for a daily quota, is the server's local calendar day: every charge stores the local
``day`` next to the UTC time, and the quota counts the rows of that day. A call charged against
its hold counts on the day it was admitted (the hold's day), so a quota checked when the hold
was placed is never overshot by a call that ends after midnight. Naive datetimes are read as
server-local time (as :meth:`datetime.astimezone` does).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from idcard_ocr.storage import holds
from idcard_ocr.storage.base import AccountNotFound, CallRecord, ChargeOutcome, HoldOutcome, UsageRow
from idcard_ocr.storage.models import accounts, calls, ledger

CODE_INSUFFICIENT_BALANCE = 603
CODE_QUOTA_EXCEEDED = 606
CODE_OK = 200


def utc_naive(at: datetime) -> datetime:
    """``at`` as naive UTC, the form stored in every DateTime column."""
    return at.astimezone(UTC).replace(tzinfo=None)


def local_day(at: datetime) -> date:
    """The server-local calendar day of ``at``."""
    return at.astimezone().date()


def local_midnight_utc(day: date) -> datetime:
    """Naive UTC of the server-local midnight that starts ``day``."""
    return utc_naive(datetime.combine(day, time()))


def billed_on(conn: Connection, app_id: str, day: date) -> int:
    """Billed calls of ``app_id`` on the server-local calendar ``day``."""
    query = select(func.count()).select_from(ledger).where(ledger.c.app_id == app_id, ledger.c.day == day)
    return int(conn.execute(query).scalar_one())


def _insert_call(conn: Connection, record: CallRecord, code: int) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "task_no": record.task_no,
        "app_id": record.app_id,
        "code": code,
        "elapsed_ms": float(record.elapsed_ms),
        "at": utc_naive(record.at),
    }
    # A retried task_no keeps its first row: recording is idempotent like charging.
    conn.execute(dialect.insert(calls).values(**values).on_conflict_do_nothing(index_elements=["task_no"]))


def _earlier_outcome(conn: Connection, task_no: str) -> ChargeOutcome | None:
    if conn.execute(select(ledger.c.id).where(ledger.c.task_no == task_no)).first() is not None:
        return ChargeOutcome.CHARGED
    code = conn.execute(select(calls.c.code).where(calls.c.task_no == task_no)).scalar()
    if code is None:
        return None
    return {
        CODE_INSUFFICIENT_BALANCE: ChargeOutcome.INSUFFICIENT_BALANCE,
        CODE_QUOTA_EXCEEDED: ChargeOutcome.QUOTA_EXCEEDED,
    }.get(code, ChargeOutcome.NOT_BILLED)


def _locked_balance(conn: Connection, app_id: str) -> int:
    # ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already excludes other
    # writers. Either way the balance, holds and today's count read next cannot change under us.
    locked = select(accounts.c.balance).where(accounts.c.app_id == app_id).with_for_update()
    balance = conn.execute(locked).scalar()
    if balance is None:
        raise AccountNotFound(app_id)
    return int(balance)


def place_hold(
    conn: Connection,
    task_no: str,
    app_id: str,
    *,
    price: int,
    daily_quota: int | None,
    at: datetime,
    ttl_s: float,
) -> HoldOutcome:
    """Reserve ``price`` and a quota unit of ``at``'s day for ``task_no``; the caller holds the transaction.

    Quota before balance, as the contract orders 606 before 603. Expired holds of the account
    are deleted first.
    """
    balance = _locked_balance(conn, app_id)
    now, day = utc_naive(at), local_day(at)
    held, held_today, expired = holds.live_totals(conn, app_id, now, day)
    if expired:  # left by a worker that died mid-call: they no longer count, so they go
        holds.reclaim_expired(conn, now, app_id)
    if daily_quota is not None and billed_on(conn, app_id, day) + held_today >= daily_quota:
        return HoldOutcome.QUOTA_EXCEEDED
    if balance - held < price:
        return HoldOutcome.INSUFFICIENT_BALANCE
    holds.insert(conn, task_no, app_id, price, day, now, ttl_s)
    return HoldOutcome.HELD


def finish_call(
    conn: Connection, record: CallRecord, *, price: int, daily_quota: int | None
) -> ChargeOutcome:
    """Record ``record`` and, when ``price`` > 0, charge it; the caller holds the transaction.

    The call's hold is deleted in the same transaction whatever the outcome. With its hold still
    live the charge was reserved at admission and only the balance itself is checked again.
    Without one (it expired) the charge is checked against the balance less the other calls'
    live holds and today's billed calls plus their holds: the first-come rule, which can turn a
    finished call into 603/606 but never overdraws or bills past the quota. A task_no seen
    before returns its first outcome and changes nothing.
    """
    if price <= 0:
        holds.release(conn, record.task_no)
        _insert_call(conn, record, record.code)
        return ChargeOutcome.NOT_BILLED
    balance = _locked_balance(conn, record.app_id)
    earlier = _earlier_outcome(conn, record.task_no)
    if earlier is not None:
        holds.release(conn, record.task_no)
        return earlier
    now = utc_naive(record.at)
    hold = holds.take(conn, record.task_no)
    if hold is not None and hold.expires_at > now:
        # Reserved at admission: the quota unit is ours, and the price unless an operator has
        # lowered the balance since, which the balance check below still catches.
        day, held, quota_left = hold.day, 0, True
    else:
        day = local_day(record.at)
        held, held_today, _expired = holds.live_totals(conn, record.app_id, now, day)
        quota_left = daily_quota is None or billed_on(conn, record.app_id, day) + held_today < daily_quota
    if not quota_left:
        _insert_call(conn, record, CODE_QUOTA_EXCEEDED)
        return ChargeOutcome.QUOTA_EXCEEDED
    if balance - held < price:
        _insert_call(conn, record, CODE_INSUFFICIENT_BALANCE)
        return ChargeOutcome.INSUFFICIENT_BALANCE
    conn.execute(
        update(accounts).where(accounts.c.app_id == record.app_id).values(balance=accounts.c.balance - price)
    )
    conn.execute(
        ledger.insert().values(task_no=record.task_no, app_id=record.app_id, amount=price, at=now, day=day)
    )
    _insert_call(conn, record, CODE_OK)
    return ChargeOutcome.CHARGED


def usage(conn: Connection, app_id: str | None, since: date | None) -> list[UsageRow]:
    """Calls, billed calls and calls per code, per account, from server-local ``since`` on."""
    per_code = select(calls.c.app_id, calls.c.code, func.count()).group_by(calls.c.app_id, calls.c.code)
    billed = select(ledger.c.app_id, func.count()).group_by(ledger.c.app_id)
    if app_id is not None:
        per_code = per_code.where(calls.c.app_id == app_id)
        billed = billed.where(ledger.c.app_id == app_id)
    if since is not None:
        start = local_midnight_utc(since)
        per_code = per_code.where(calls.c.at >= start)
        billed = billed.where(ledger.c.at >= start)
    by_app: dict[str, dict[int, int]] = {}
    for app, code, count in conn.execute(per_code):
        by_app.setdefault(app, {})[int(code)] = int(count)
    billed_by_app = {app: int(count) for app, count in conn.execute(billed)}
    return [
        UsageRow(
            app_id=app,
            calls=sum(codes.values()),
            billed=billed_by_app.get(app, 0),
            by_code=dict(sorted(codes.items())),
        )
        for app, codes in sorted(by_app.items())
    ]

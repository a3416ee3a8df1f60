"""Holds: the price of a call reserved before it is recognised, settled when it ends.

A call past the rate check reserves its price, and with a daily quota one of the day's billed
calls, in one transaction with the account row locked (as a charge is). So a burst against a
small balance is decided at once: the calls that can be paid for hold their units, the rest get
603 (or 606) before their photo is read. What a call may use is the balance less the amounts
of the account's *live* holds; the balance itself changes only when a charge is written.

A hold ends in one of three ways:

- :func:`idcard_ocr.storage.billing.finish_call` consumes it: a billable result is charged
  against it (ledger row, balance down, hold deleted, in one transaction); any other end of the
  call (301, ``result`` 1, 400, 610, 999) deletes it without a charge;
- :func:`release` deletes it when the call was cut short before it could be recorded;
- it *expires*: a process killed mid-call leaves its holds behind; from ``expires_at`` on they
  no longer count against the balance or the quota, and the next hold on the account (or
  :func:`reclaim_expired`) deletes them. Money is never stuck for longer than the hold's time,
  which outlasts the longest a live call can take, so a live call never loses its hold.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, func, select

from idcard_ocr.storage.base import Hold
from idcard_ocr.storage.models import holds


def _hold(row: Row[Any, Any, Any, Any, Any]) -> Hold:
    return Hold(task_no=row[0], app_id=row[1], amount=int(row[2]), day=row[3], expires_at=row[4])


_COLUMNS = (holds.c.task_no, holds.c.app_id, holds.c.amount, holds.c.day, holds.c.expires_at)


def live_totals(conn: Connection, app_id: str, now: datetime, day: date) -> tuple[int, int, int]:
    """Of ``app_id``'s holds: the amount the live ones hold, how many live ones reserve a call of
    ``day``, and how many have expired (one query: it runs on every admitted call)."""
    live = holds.c.expires_at > now
    query = select(
        func.coalesce(func.sum(case((live, holds.c.amount), else_=0)), 0),
        func.coalesce(func.sum(case((and_(live, holds.c.day == day), 1), else_=0)), 0),
        func.coalesce(func.sum(case((live, 0), else_=1)), 0),
    ).where(holds.c.app_id == app_id)
    amount, on_day, expired = conn.execute(query).one()
    return int(amount), int(on_day), int(expired)


def insert(
    conn: Connection, task_no: str, app_id: str, amount: int, day: date, now: datetime, ttl_s: float
) -> None:
    """Write a hold that lasts ``ttl_s`` from ``now`` (naive UTC)."""
    conn.execute(
        holds.insert().values(
            task_no=task_no,
            app_id=app_id,
            amount=amount,
            day=day,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )


def take(conn: Connection, task_no: str) -> Hold | None:
    """Delete the hold of ``task_no`` and return it (None when there was none)."""
    row = conn.execute(delete(holds).where(holds.c.task_no == task_no).returning(*_COLUMNS)).first()
    return _hold(row) if row is not None else None


def release(conn: Connection, task_no: str) -> bool:
    """Delete the hold of ``task_no``; False when there was none."""
    return bool(conn.execute(delete(holds).where(holds.c.task_no == task_no)).rowcount)


def reclaim_expired(conn: Connection, now: datetime, app_id: str | None = None) -> int:
    """Delete the holds that expired by ``now`` (of ``app_id`` only, when given); returns how many."""
    query = delete(holds).where(holds.c.expires_at <= now)
    if app_id is not None:
        query = query.where(holds.c.app_id == app_id)
    return int(conn.execute(query).rowcount or 0)


def listed(conn: Connection, app_id: str | None) -> list[Hold]:
    """Every hold still stored (of ``app_id`` only, when given), oldest first."""
    query = select(*_COLUMNS).order_by(holds.c.created_at, holds.c.task_no)
    if app_id is not None:
        query = query.where(holds.c.app_id == app_id)
    return [_hold(row) for row in conn.execute(query)]

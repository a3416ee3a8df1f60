"""Recording calls and charging them, in one transaction on a connection the store opened.

"Today", for a daily quota, is the server's local calendar day: every charge stores the local
``day`` of its call time next to the UTC time, and the quota counts the rows of that day.
Naive datetimes are read as server-local time (as :meth:`datetime.astimezone` does).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from idcard_ocr.storage.base import AccountNotFound, CallRecord, ChargeOutcome, UsageRow
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


def finish_call(
    conn: Connection, record: CallRecord, *, price: int, daily_quota: int | None
) -> ChargeOutcome:
    """Record ``record`` and, when ``price`` > 0, charge it; the caller holds the transaction.

    The account row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already excludes other writers), so the balance and today's count read
    here cannot change before the charge is written. A task_no seen before returns its first
    outcome and changes nothing.
    """
    if price <= 0:
        _insert_call(conn, record, record.code)
        return ChargeOutcome.NOT_BILLED
    locked = select(accounts.c.balance).where(accounts.c.app_id == record.app_id).with_for_update()
    balance = conn.execute(locked).scalar()
    if balance is None:
        raise AccountNotFound(record.app_id)
    earlier = _earlier_outcome(conn, record.task_no)
    if earlier is not None:
        return earlier
    day = local_day(record.at)
    if daily_quota is not None and billed_on(conn, record.app_id, day) >= daily_quota:
        _insert_call(conn, record, CODE_QUOTA_EXCEEDED)
        return ChargeOutcome.QUOTA_EXCEEDED
    if balance < price:
        _insert_call(conn, record, CODE_INSUFFICIENT_BALANCE)
        return ChargeOutcome.INSUFFICIENT_BALANCE
    conn.execute(
        update(accounts).where(accounts.c.app_id == record.app_id).values(balance=accounts.c.balance - price)
    )
    conn.execute(
        ledger.insert().values(
            task_no=record.task_no, app_id=record.app_id, amount=price, at=utc_naive(record.at), day=day
        )
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

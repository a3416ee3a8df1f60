"""The load test's audit: the books (ledger, balances, holds, calls) against every answer sent.

Empty lists of problems mean the books and the answers agree exactly:

- every answer with ``charge: true`` has exactly one ledger row, and no ledger row belongs to an
  answer other than a charged 200 (no double charge, no billed refusal);
- each balance fell by exactly its ledger rows and never below zero (no overdraft);
- no hold is left open: a hold still open when the server stopped belongs to a request cut off
  by the kill (never to one that was answered), and is reclaimed once it expires;
- small balances and quotas are used exactly to the limit, rates stay within one request of
  theirs (``qps`` per second over the run);
- every answer's taskNo is unique and recorded in ``calls`` with the code the client got.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from idcard_ocr.settings import Settings
from idcard_ocr.storage import open_store

ALLOWED_CODES = {"plain": {200}, "balance": {200, 603}, "quota": {200, 606}, "rate": {200, 609}}
# A hold outlives any live call (``hold_ttl_s``: 45 s with the default timeouts); waited for at most.
LONGEST_HOLD_WAIT_S = 120.0


@dataclass(frozen=True)
class Plan:
    """One account of the run and the limit it is meant to hit."""

    kind: str  # plain | balance | quota | rate
    app_id: str
    secret: str
    balance: int
    limit: int | None = None  # the balance, quota or qps under test


@dataclass
class Answer:
    """One request as the client saw it."""

    app_id: str
    sent_at: float
    done_at: float
    code: int | None = None  # None: cut off (no answer)
    charge: bool = False
    task_no: str | None = None
    has_data: bool = False


def settle_holds(settings: Settings, answers: list[Answer], notes: list[str]) -> list[str]:
    """Holds left when the server stopped: only cut requests may own them; then wait them out.

    Run after the fleet stopped. A hold of an answered call means the call ended without
    settling it; a hold of a cut call (its worker was killed) must stop counting when it
    expires and be deleted by ``reclaim_expired_holds``, which this runs once it has.
    """
    problems: list[str] = []
    store = open_store(settings, migrate=False)
    try:
        left = store.open_holds()
        answered = {a.task_no for a in answers if a.code is not None}
        cut = sum(1 for a in answers if a.code is None)
        if owned := [h for h in left if h.task_no in answered]:
            problems.append(f"{len(owned)} holds left open by calls that were answered")
        if len(left) > cut:
            problems.append(f"{len(left)} holds left open, but only {cut} requests were cut off")
        if left:
            latest = max(h.expires_at for h in left).replace(tzinfo=UTC)
            wait_s = (latest - datetime.now(UTC)).total_seconds() + 0.5
            time.sleep(min(max(wait_s, 0.0), LONGEST_HOLD_WAIT_S))
            reclaimed = store.reclaim_expired_holds()
            notes.append(f"{len(left)} holds left by the killed worker; {reclaimed} reclaimed on expiry")
        if remaining := store.open_holds():
            problems.append(f"{len(remaining)} holds still open after they should have expired")
    finally:
        store.close()
    return problems


def audit(
    database_url: str,
    plans: list[Plan],
    answers: list[Answer],
    billed_metric: float | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """Every way the books and the answers could disagree; empty when they agree exactly."""
    problems: list[str] = []
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ledger = {row[0]: row[1] for row in conn.execute(text("SELECT task_no, app_id FROM ledger"))}
        calls = {row[0]: int(row[1]) for row in conn.execute(text("SELECT task_no, code FROM calls"))}
        balances = {row[0]: int(row[1]) for row in conn.execute(text("SELECT app_id, balance FROM accounts"))}
        open_holds = int(conn.execute(text("SELECT count(*) FROM holds")).scalar_one())
    engine.dispose()

    if open_holds:
        problems.append(f"{open_holds} holds open at the end")
    answered = [a for a in answers if a.code is not None]
    cut = [a for a in answers if a.code is None]
    task_nos = [a.task_no for a in answered]
    if len(set(task_nos)) != len(task_nos) or None in task_nos:
        problems.append("taskNo missing or repeated across answers")
    by_task = {a.task_no: a for a in answered}
    charged = {a.task_no for a in answered if a.charge}
    if missing := charged - ledger.keys():
        problems.append(f"{len(missing)} answers said charge=true with no ledger row")
    wrongly = [t for t in ledger if t in by_task and not (by_task[t].code == 200 and by_task[t].charge)]
    if wrongly:
        problems.append(f"{len(wrongly)} ledger rows belong to answers that were not a charged 200")
    unseen = [t for t in ledger if t not in by_task]
    if cut and notes is not None:
        notes.append(
            f"{len(cut)} requests cut off; {len(unseen)} of them were charged (committed before the kill)"
        )
    if len(unseen) > len(cut):
        problems.append(f"{len(unseen)} charges no client saw, but only {len(cut)} requests were cut off")
    if mismatched := [a.task_no for a in answered if a.task_no and calls.get(a.task_no) != a.code]:
        problems.append(f"{len(mismatched)} answers not recorded in calls with the code sent")
    if billed_metric is None or not len(ledger) - len(cut) <= billed_metric <= len(ledger):
        problems.append(f"/metrics reports {billed_metric} billed calls, the ledger has {len(ledger)}")
    if bad := [a for a in answered if a.code == 200 and not (a.charge and a.has_data)]:
        problems.append(f"{len(bad)} 200 answers without charge or data")
    problems += _per_account(plans, answers, ledger, balances)
    return problems


def _per_account(
    plans: list[Plan], answers: list[Answer], ledger: dict[str, str], balances: dict[str, int]
) -> list[str]:
    problems: list[str] = []
    answered = [a for a in answers if a.code is not None]
    cut = [a for a in answers if a.code is None]
    span = max((a.done_at for a in answers), default=0) - min((a.sent_at for a in answers), default=0)
    for plan in plans:
        mine = [a for a in answered if a.app_id == plan.app_id]
        mine_cut = sum(1 for a in cut if a.app_id == plan.app_id)
        billed = sum(1 for app in ledger.values() if app == plan.app_id)
        final = balances[plan.app_id]
        label = f"{plan.kind} account {plan.app_id[:6]}…"
        if final < 0 or plan.balance - final != billed:
            problems.append(f"{label}: balance {plan.balance}→{final} but {billed} ledger rows")
        if odd := {a.code for a in mine} - ALLOWED_CODES[plan.kind]:
            problems.append(f"{label}: unexpected codes {sorted(c for c in odd if c is not None)}")
        admitted = sum(1 for a in mine if a.code == 200)
        if plan.kind in ("balance", "quota") and plan.limit is not None:
            enough = len(mine) + mine_cut > plan.limit
            if billed > plan.limit or (enough and billed < plan.limit - mine_cut):
                problems.append(f"{label}: {billed} billed against a limit of {plan.limit}")
        if plan.kind == "rate" and plan.limit is not None:
            ceiling = plan.limit * (int(span) + 1) + 1
            if admitted > ceiling:
                problems.append(f"{label}: {admitted} admitted in {span:.1f} s at {plan.limit}/s")
    return problems

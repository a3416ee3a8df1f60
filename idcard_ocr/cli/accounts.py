"""``idcard-ocr accounts``: create, change, show and list caller accounts.

Limits: ``--qps 0`` and ``--daily-quota 0`` mean unlimited (the default for a new account);
``--ip`` may be repeated and replaces the whole list, ``--clear-ip`` removes every entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from idcard_ocr.cli import main
from idcard_ocr.cli.db import account_json, emit, json_errors, open_cli_store
from idcard_ocr.storage.base import AccountNotFound


def _limit(value: int | None, option: str) -> int | None:
    """0 = unlimited (None); a negative limit is refused."""
    if value is not None and value < 0:
        raise ValueError(f"{option} must be >= 0 (0 = unlimited)")
    return value or None


@main.group()
def accounts() -> None:
    """Caller accounts: appId, appSecret, balance and limits."""


@accounts.command("create")
@click.option("--name", default="", help="A label for the operator.")
@click.option("--balance", type=int, default=0, show_default=True, help="Starting balance (units).")
@click.option("--qps", type=int, default=0, help="Calls per second; 0 = unlimited.")
@click.option("--daily-quota", type=int, default=0, help="Billed calls per server-local day; 0 = unlimited.")
@click.option("--ip", "ips", multiple=True, metavar="CIDR", help="Allowed caller address or CIDR (repeat).")
@click.option("--subscribe/--no-subscribe", default=True, help="Subscribed to the idcard product.")
@json_errors
def create(
    name: str, balance: int, qps: int, daily_quota: int, ips: tuple[str, ...], subscribe: bool
) -> None:
    """Create an account and print its appId and appSecret (shown only this once)."""
    store = open_cli_store()
    try:
        account, secret = store.create_account(
            name=name,
            balance=balance,
            qps=_limit(qps, "--qps"),
            daily_quota=_limit(daily_quota, "--daily-quota"),
            ip_allow=ips,
            subscribed=subscribe,
        )
    finally:
        store.close()
    emit({"appId": account.app_id, "appSecret": secret, **account_json(account)})


@accounts.command("update")
@click.argument("app_id", metavar="APPID")
@click.option("--name", default=None, help="New label.")
@click.option("--balance", type=int, default=None, help="Set the balance to exactly this.")
@click.option("--topup", type=int, default=None, help="Add this to the balance (atomically).")
@click.option("--qps", type=int, default=None, help="Calls per second; 0 = unlimited.")
@click.option("--daily-quota", type=int, default=None, help="Billed calls per day; 0 = unlimited.")
@click.option("--ip", "ips", multiple=True, metavar="CIDR", help="Replace the IP list (repeat).")
@click.option("--clear-ip", is_flag=True, help="Allow every caller address again.")
@click.option("--enable/--disable", "enabled", default=None, help="A disabled account gets 602.")
@click.option("--subscribe/--unsubscribe", "subscribed", default=None, help="An unsubscribed one gets 601.")
@click.option("--replay-guard/--no-replay-guard", default=None, help="Refuse a sign already accepted.")
@json_errors
def update(
    app_id: str,
    name: str | None,
    balance: int | None,
    topup: int | None,
    qps: int | None,
    daily_quota: int | None,
    ips: tuple[str, ...],
    clear_ip: bool,
    enabled: bool | None,
    subscribed: bool | None,
    replay_guard: bool | None,
) -> None:
    """Change an account; prints it as it now stands."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if balance is not None:
        changes["balance"] = balance
    if topup is not None:
        changes["topup"] = topup
    if qps is not None:
        changes["qps"] = _limit(qps, "--qps")
    if daily_quota is not None:
        changes["daily_quota"] = _limit(daily_quota, "--daily-quota")
    if ips and clear_ip:
        raise ValueError("give either --ip or --clear-ip, not both")
    if ips or clear_ip:
        changes["ip_allow"] = list(ips)
    for key, flag in (("enabled", enabled), ("subscribed", subscribed), ("replay_guard", replay_guard)):
        if flag is not None:
            changes[key] = flag
    store = open_cli_store()
    try:
        account = store.update_account(app_id, **changes)
    finally:
        store.close()
    emit(account_json(account))


@accounts.command("show")
@click.argument("app_id", metavar="APPID")
@json_errors
def show(app_id: str) -> None:
    """Print one account with its balance (never its secret).

    ``held`` is what calls in flight have reserved (holds not yet settled and not expired);
    ``available`` is what a new call may still use: the balance less ``held``.
    """
    store = open_cli_store()
    try:
        account = store.get_account(app_id)
        holds = store.open_holds(app_id) if account is not None else []
    finally:
        store.close()
    if account is None:
        raise AccountNotFound(app_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    held = sum(hold.amount for hold in holds if hold.expires_at > now)
    emit({**account_json(account), "held": held, "available": account.balance - held})


@accounts.command("list")
@json_errors
def list_accounts() -> None:
    """Print every account, oldest first."""
    store = open_cli_store()
    try:
        rows = store.list_accounts()
    finally:
        store.close()
    emit({"accounts": [account_json(a) for a in rows]})

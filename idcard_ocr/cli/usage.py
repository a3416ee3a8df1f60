"""``idcard-ocr usage``: calls, billed calls and outcomes per account."""

from __future__ import annotations

from datetime import date, datetime

import click

from idcard_ocr.cli import main
from idcard_ocr.cli.db import emit, json_errors, open_cli_store
from idcard_ocr.storage.base import AccountNotFound


@main.command()
@click.argument("app_id", metavar="[APPID]", required=False)
@click.option("--since", metavar="YYYY-MM-DD", default=None, help="From this server-local day on.")
@json_errors
def usage(app_id: str | None, since: str | None) -> None:
    """Print usage of one account (or all) since a day (or ever)."""
    since_day: date | None = None
    if since is not None:
        try:
            since_day = datetime.strptime(since, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(f"--since must be a date YYYY-MM-DD, not {since!r}") from None
    store = open_cli_store()
    try:
        if app_id is not None and store.get_account(app_id) is None:
            raise AccountNotFound(app_id)
        rows = store.usage(app_id, since_day)
    finally:
        store.close()
    emit(
        {
            "since": since_day.isoformat() if since_day else None,
            "accounts": [
                {
                    "appId": r.app_id,
                    "calls": r.calls,
                    "billed": r.billed,
                    "byCode": {str(code): n for code, n in r.by_code.items()},
                }
                for r in rows
            ],
        }
    )

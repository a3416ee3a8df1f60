"""``idcard-ocr db``: schema migrations; plus what every storage command shares.

Storage commands print one JSON object on stdout. On failure they print ``{"error": ...}`` on
stderr and exit non-zero, never with a traceback: 2 for a refused request (unknown appId, bad
CIDR, negative balance), 3 for a configuration problem (missing or wrong key), 1 otherwise.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from idcard_ocr.cli import main
from idcard_ocr.settings import Settings, get_settings
from idcard_ocr.storage.base import Account, AccountNotFound, ConfigError
from idcard_ocr.storage.sql import SqlStore, open_store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_REFUSED = 2
EXIT_CONFIG = 3


def emit(payload: dict[str, Any]) -> None:
    """Print ``payload`` as JSON on stdout (Chinese left readable)."""
    click.echo(json.dumps(payload, ensure_ascii=False))


def fail(message: str, exit_code: int = EXIT_REFUSED, **details: Any) -> NoReturn:
    """Print ``{"error": message, ...}`` on stderr and exit with ``exit_code``."""
    click.echo(json.dumps({"error": message, **details}, ensure_ascii=False), err=True)
    sys.exit(exit_code)


def json_errors(command: F) -> F:
    """Turn the errors a storage command can meet into JSON on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AccountNotFound as exc:
            fail("unknown appId", appId=str(exc.args[0]) if exc.args else "")
        except ConfigError as exc:
            fail(str(exc), EXIT_CONFIG)
        except ValueError as exc:
            fail(str(exc))
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # never a traceback on the operator's terminal
            fail(f"unexpected error: {type(exc).__name__}: {exc}", 1)

    return wrapper  # type: ignore[return-value]


def cli_settings() -> Settings:
    """The same settings the server reads (``IDCARD_*`` environment variables)."""
    return get_settings()


def open_cli_store() -> SqlStore:
    """The configured store, migrated to the newest schema like the server does at start."""
    return open_store(cli_settings())


def account_json(account: Account) -> dict[str, Any]:
    """An account as the CLI shows it: every field but the secret, which is never shown again."""
    return {
        "appId": account.app_id,
        "name": account.name,
        "balance": account.balance,
        "qps": account.qps,
        "dailyQuota": account.daily_quota,
        "ipAllow": list(account.ip_allow),
        "enabled": account.enabled,
        "subscribed": account.subscribed,
        "replayGuard": account.replay_guard,
        "createdAt": account.created_at.isoformat(),
    }


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@json_errors
def db_upgrade() -> None:
    """Run every pending migration (``alembic upgrade head``)."""
    from idcard_ocr.storage.migrate import head_revision, make_engine, upgrade

    engine = make_engine(cli_settings().resolved_database_url)
    try:
        emit({"revision": upgrade(engine), "head": head_revision()})
    finally:
        engine.dispose()


@db.command("status")
@json_errors
def db_status() -> None:
    """Show the schema revision of the database and the newest one this version ships."""
    from idcard_ocr.storage.migrate import current_revision, head_revision, make_engine

    engine = make_engine(cli_settings().resolved_database_url)
    try:
        at, head = current_revision(engine), head_revision()
    finally:
        engine.dispose()
    emit({"revision": at, "head": head, "upToDate": at == head})

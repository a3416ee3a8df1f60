"""Accounts, global switches and the ledger behind one interface (:class:`Store`).

``open_store(settings)`` gives the SQLAlchemy implementation for SQLite or PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from idcard_ocr.storage.base import (
    Account,
    AccountNotFound,
    CallRecord,
    ChargeOutcome,
    ConfigError,
    Hold,
    HoldOutcome,
    SecretKeyMismatch,
    Store,
    Switches,
    UsageRow,
)

if TYPE_CHECKING:
    from idcard_ocr.settings import Settings


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """Open the configured store; see :func:`idcard_ocr.storage.sql.open_store`."""
    from idcard_ocr.storage.sql import open_store as _open

    return _open(settings, migrate=migrate)


__all__ = [
    "Account",
    "AccountNotFound",
    "CallRecord",
    "ChargeOutcome",
    "ConfigError",
    "Hold",
    "HoldOutcome",
    "SecretKeyMismatch",
    "Store",
    "Switches",
    "UsageRow",
    "open_store",
]

"""The tables, as SQLAlchemy Core metadata. The migrations under ``migrations/`` create them.

Times are stored as naive UTC (``DateTime`` without zone) so that SQLite and PostgreSQL hold the
same values; the ledger also stores the server's local calendar ``day`` of each charge, which is
what daily quotas count.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("app_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("balance", BigInteger, nullable=False, server_default="0"),
    Column("qps", Integer, nullable=True),  # NULL: unlimited
    Column("daily_quota", Integer, nullable=True),  # NULL: unlimited
    Column("ip_allow", Text, nullable=False, server_default="[]"),  # JSON list of CIDRs
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("subscribed", Boolean, nullable=False, server_default=true()),
    Column("replay_guard", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint("balance >= 0", name="ck_accounts_balance_not_negative"),
)

app_secrets = Table(
    "app_secrets",
    metadata,
    Column("app_id", String(32), ForeignKey("accounts.app_id", ondelete="CASCADE"), primary_key=True),
    Column("key_fingerprint", String(16), nullable=False),
    Column("sealed", LargeBinary, nullable=False),  # nonce + AES-GCM ciphertext
    Column("sealed_at", DateTime, nullable=False),
)

switches = Table(
    "switches",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("is_on", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_no", String(32), nullable=False, unique=True),
    Column("app_id", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("day", Date, nullable=False),  # server-local calendar day of ``at``
    Index("ix_ledger_app_day", "app_id", "day"),
)

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_no", String(32), nullable=False, unique=True),
    Column("app_id", String(32), nullable=False),
    Column("code", Integer, nullable=False),
    Column("elapsed_ms", Float, nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_calls_app_at", "app_id", "at"),
    Index("ix_calls_at", "at"),
)

# A hold reserves the price (and, with a daily quota, one billed call of ``day``) of a call that
# is being recognised, so that calls which could never be paid for are refused before they use
# a recogniser. It is turned into a ledger row or deleted when the call ends; one left behind by
# a process that died stops counting at ``expires_at`` and is deleted by the next hold on its
# account (see ``holds``).
holds = Table(
    "holds",
    metadata,
    Column("task_no", String(32), primary_key=True),
    Column("app_id", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("day", Date, nullable=False),  # server-local day the call was admitted on
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Index("ix_holds_app_expires", "app_id", "expires_at"),
)

worker_nodes = Table(
    "worker_nodes",
    metadata,
    Column("node_id", Integer, primary_key=True, autoincrement=False),
    Column("holder", String(200), nullable=False),  # host:pid:token of the process holding the id
    Column("lease_until", DateTime, nullable=False),
)

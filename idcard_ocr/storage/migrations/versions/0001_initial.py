"""Accounts, sealed app secrets, global switches, ledger, calls and worker node leases.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table and seed the two global switches (maintenance off, product on)."""
    op.create_table(
        "accounts",
        sa.Column("app_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("balance", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("qps", sa.Integer, nullable=True),
        sa.Column("daily_quota", sa.Integer, nullable=True),
        sa.Column("ip_allow", sa.Text, nullable=False, server_default="[]"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("subscribed", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("replay_guard", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_accounts_balance_not_negative"),
    )
    op.create_table(
        "app_secrets",
        sa.Column(
            "app_id",
            sa.String(32),
            sa.ForeignKey("accounts.app_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key_fingerprint", sa.String(16), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("sealed_at", sa.DateTime, nullable=False),
    )
    switches = op.create_table(
        "switches",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("is_on", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_no", sa.String(32), nullable=False, unique=True),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("ix_ledger_app_day", "ledger", ["app_id", "day"])
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_no", sa.String(32), nullable=False, unique=True),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("code", sa.Integer, nullable=False),
        sa.Column("elapsed_ms", sa.Float, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_calls_app_at", "calls", ["app_id", "at"])
    op.create_index("ix_calls_at", "calls", ["at"])
    op.create_table(
        "worker_nodes",
        sa.Column("node_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("lease_until", sa.DateTime, nullable=False),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        switches,
        [
            {"name": "maintenance", "is_on": False, "updated_at": now},
            {"name": "product", "is_on": True, "updated_at": now},
        ],
    )


def downgrade() -> None:
    """Drop every table (this loses all accounts and the ledger)."""
    for table in ("worker_nodes", "calls", "ledger", "switches", "app_secrets", "accounts"):
        op.drop_table(table)

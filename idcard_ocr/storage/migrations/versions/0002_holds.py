"""Holds: the price of a call reserved while it is recognised.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the empty ``holds`` table; nothing stored before is touched."""
    op.create_table(
        "holds",
        sa.Column("task_no", sa.String(32), primary_key=True),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_holds_app_expires", "holds", ["app_id", "expires_at"])


def downgrade() -> None:
    """Drop the holds (calls in flight lose their reservation, never money)."""
    op.drop_index("ix_holds_app_expires", table_name="holds")
    op.drop_table("holds")

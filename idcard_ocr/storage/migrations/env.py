"""Alembic environment: runs on the connection that ``idcard_ocr.storage.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from idcard_ocr.storage.models import metadata

config = context.config


def run_migrations() -> None:
    """Migrate on the caller's connection, or on a fresh engine from ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()

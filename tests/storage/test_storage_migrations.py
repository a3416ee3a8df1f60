"""Migrations: shipped in the package, idempotent, and matching the tables the code uses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from idcard_ocr.settings import Settings
from idcard_ocr.storage import ConfigError
from idcard_ocr.storage.migrate import current_revision, head_revision, make_engine, upgrade
from idcard_ocr.storage.models import metadata
from idcard_ocr.storage.sql import open_store


def test_open_without_migrating_asks_for_db_upgrade(
    database_url: str, settings_for: Callable[..., Settings]
) -> None:
    with pytest.raises(ConfigError, match="idcard-ocr db upgrade"):
        open_store(settings_for(database_url), migrate=False)
    engine = make_engine(database_url)
    try:
        assert upgrade(engine) == head_revision()
        assert upgrade(engine) == head_revision()  # running it again changes nothing
    finally:
        engine.dispose()
    opened = open_store(settings_for(database_url), migrate=False)
    opened.close()


def test_migrated_schema_matches_the_tables_in_code(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert differences == []


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused_clearly(url: str) -> None:
    with pytest.raises(ConfigError, match="in-memory"):
        open_store(Settings(database_url=url))

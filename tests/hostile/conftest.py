"""Fixtures for the hostile-input tests: the API fixtures on one SQLite store per module.

Every test makes its own account, so sharing the migrated store keeps the many small cases cheap
(a fresh database per case would cost more than the case). PostgreSQL billing under attack is
covered by ``tests/faults`` and ``tests/api``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from idcard_ocr.storage.sql import SqlStore, open_store
from tests.api.conftest import anyio_backend, service, service_factory
from tests.conftest import settings_for

__all__ = ["anyio_backend", "database_url", "module_sqlite", "service", "service_factory", "store"]


@pytest.fixture(scope="module")
def module_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SqlStore]]:
    """One migrated SQLite store for every test of a module."""
    path: Path = tmp_path_factory.mktemp("hostile-db") / "idcard-ocr.db"
    url = f"sqlite:///{path.as_posix()}"
    opened = open_store(settings_for(url))
    yield url, opened
    opened.close()


@pytest.fixture
def database_url(module_sqlite: tuple[str, SqlStore]) -> str:
    return module_sqlite[0]


@pytest.fixture
def store(module_sqlite: tuple[str, SqlStore]) -> SqlStore:
    return module_sqlite[1]

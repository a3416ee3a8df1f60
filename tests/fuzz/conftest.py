"""Fixtures for the fuzz tests: the API fixtures on one SQLite store per module.

The same arrangement as the hostile-input tests (``tests/hostile/conftest.py``): every test makes
its own account, so one migrated store per module keeps the many small cases cheap. PostgreSQL
billing is covered by ``tests/faults`` and ``tests/api``.
"""

from __future__ import annotations

from tests.hostile.conftest import (
    anyio_backend,
    database_url,
    module_sqlite,
    service,
    service_factory,
    store,
)

__all__ = ["anyio_backend", "database_url", "module_sqlite", "service", "service_factory", "store"]

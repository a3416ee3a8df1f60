"""Shared fixtures: a database on each backend, a store on it, and settings that point at it.

``database_url`` runs a test twice: on a fresh SQLite file and on PostgreSQL (marked
``postgres``) in a fresh schema of ``IDCARD_TEST_POSTGRES_URL`` that is dropped afterwards.
When PostgreSQL does not answer the postgres run is skipped with the reason, unless
``IDCARD_TEST_REQUIRE_SERVICES=1`` (set in CI), when it fails loudly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from idcard_ocr.settings import Settings
from idcard_ocr.storage.scratch import scratch_schema
from idcard_ocr.storage.sql import SqlStore, open_store

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# A fixed key for PostgreSQL tests (SQLite tests let the store generate its key file).
TEST_SECRET_KEY = "test-server-key-0123456789abcdefghijklmnop"


def postgres_base_url() -> str:
    """The PostgreSQL server the tests use."""
    return os.environ.get("IDCARD_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def services_required() -> bool:
    """True in CI: a test needing PostgreSQL or Redis must fail rather than skip."""
    return os.environ.get("IDCARD_TEST_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


def _psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_dsn(url), connect_timeout=3, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # schema names are generated here, not user input


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The base PostgreSQL URL once it has answered; skips (or fails in CI) when it does not."""
    url = postgres_base_url()
    try:
        _pg_execute(url, "SELECT 1")
    except Exception as exc:
        reason = f"PostgreSQL at {make_url(url).render_as_string()} does not answer: {exc}"
        if services_required():
            pytest.fail(reason + " (IDCARD_TEST_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return url


def _fresh_postgres_schema(base_url: str) -> Iterator[str]:
    with scratch_schema(base_url, "idc_test_") as url:
        yield url


@pytest.fixture(scope="session")
def card_fonts() -> None:
    """Every font the card generator draws with (see ``tests/fonts.py``); skips with the packages
    to install when one is missing, or fails when services are required (CI)."""
    from idcard_ocr.synth.fonts import missing_fonts_message

    reason = missing_fonts_message()
    if not reason:
        return
    reason += " (tools/run-tests.sh installs them when run as root)"
    if services_required():
        pytest.fail(reason + " (IDCARD_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'db' / 'idcard-ocr.db').as_posix()}"
        return
    base = request.getfixturevalue("postgres_server")
    yield from _fresh_postgres_schema(base)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for a server on ``database_url``.

    PostgreSQL gets :data:`TEST_SECRET_KEY` (it refuses to start without a key); SQLite keeps its
    generated key file beside the database. ``overrides`` win, e.g. ``secret_key=None``.
    """
    values: dict[str, Any] = {"database_url": database_url}
    if database_url.startswith("sqlite"):
        database = make_url(database_url).database
        if database:
            values["data_dir"] = Path(database).parent
    else:
        values["secret_key"] = TEST_SECRET_KEY
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(name="settings_for")
def settings_for_fixture() -> Callable[..., Settings]:
    """:func:`settings_for`, for tests that cannot import this module."""
    return settings_for


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on ``database_url``, closed after the test."""
    opened = open_store(settings_for(database_url))
    try:
        yield opened
    finally:
        opened.close()


def pytest_configure(config: pytest.Config) -> None:
    """Audit every log record of the whole run for private data (see ``tests/hostile/log_audit.py``)."""
    from tests.api.support import FRONT_INFO
    from tests.hostile.log_audit import register

    # The contract's sample number has a wrong check character, so it is listed by value too.
    register(config, (FRONT_INFO["name"], FRONT_INFO["number"], FRONT_INFO["address"], TEST_SECRET_KEY))

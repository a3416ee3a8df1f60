"""Engines and migrations: build the SQLAlchemy engine for a URL and bring its schema to head.

SQLite runs in WAL mode with a busy timeout; write transactions that must not interleave
(charging, node leases, migrations) ask for ``BEGIN IMMEDIATE`` through the ``sqlite_begin``
execution option, while plain reads keep SQLite's deferred ``BEGIN``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from idcard_ocr.storage.base import ConfigError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0
# Any constant: serialises migrations of several PostgreSQL workers starting together.
_PG_MIGRATION_LOCK = 0x1DC0_0C12


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, a file database in WAL mode (its folder is created)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # 5 + 10 connections a process: several workers stay well under PostgreSQL's default 100.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        # Each pooled connection would see its own empty database; charging needs one shared file.
        raise ConfigError("an in-memory SQLite database is not supported: give a file, sqlite:///path/to.db")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so a write can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version."""
    return ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Run every pending migration (``alembic upgrade head``); returns the revision reached."""
    config = _alembic_config(engine.url.render_as_string(hide_password=False))
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if is_sqlite:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return current_revision(engine)


def require_head(engine: Engine) -> None:
    """Raise :class:`ConfigError` unless the database is at the newest migration."""
    at, head = current_revision(engine), head_revision()
    if at != head:
        raise ConfigError(
            f"the database schema is at revision {at or 'none'} but this version needs {head}: "
            "run `idcard-ocr db upgrade`"
        )

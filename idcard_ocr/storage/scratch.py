"""A throw-away PostgreSQL schema: for the tests and the load test, never for a deployment.

Each user gets a schema of its own on a shared server (other test runs may be using it at the
same time), reached through a URL that pins ``search_path`` to it, and dropped afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


def _execute(url: str, sql: str) -> None:
    import psycopg  # only PostgreSQL users need the driver loaded

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
        conn.execute(sql)  # schema names are generated here, not user input


@contextmanager
def scratch_schema(base_url: str, prefix: str = "idc_scratch_") -> Iterator[str]:
    """A new schema named ``<prefix><random hex>`` on ``base_url``'s server; yields a SQLAlchemy
    URL whose connections use it, and drops it (with everything in it) on exit."""
    schema = f"{prefix}{secrets.token_hex(6)}"
    _execute(base_url, f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(base_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        _execute(base_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

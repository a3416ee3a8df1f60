"""``idcard-ocr keys``: the server key that seals app secrets.

Rotation without a failed request, with ``IDCARD_SECRET_KEY`` (PostgreSQL, or SQLite by choice):

1. restart every server with ``IDCARD_SECRET_KEY=<new>`` and ``IDCARD_SECRET_KEY_PREVIOUS=<old>``;
2. run ``idcard-ocr keys rotate`` with the same variables: every secret is re-sealed under the new key;
3. drop ``IDCARD_SECRET_KEY_PREVIOUS`` at the next restart.

With SQLite's generated key file, ``idcard-ocr keys rotate`` (a fresh random key) or
``--new-key-file F`` does it all: running servers pick the new key file up by themselves.
"""

from __future__ import annotations

from pathlib import Path

import click

from idcard_ocr.cli import main
from idcard_ocr.cli.db import cli_settings, emit, json_errors, open_cli_store
from idcard_ocr.storage.crypto import new_server_key


@main.group()
def keys() -> None:
    """The server key that encrypts app secrets."""


@keys.command("rotate")
@click.option(
    "--new-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="File holding the new key (>= 32 characters). Default: the current IDCARD_SECRET_KEY, "
    "or a fresh random key for a SQLite key file.",
)
@json_errors
def rotate(new_key_file: Path | None) -> None:
    """Re-seal every app secret under the new key, in one transaction."""
    settings = cli_settings()
    if new_key_file is not None:
        new_key = new_key_file.read_text(encoding="utf-8").strip()
    elif settings.secret_key is not None:
        new_key = settings.secret_key.get_secret_value()
    else:
        new_key = new_server_key()
    store = open_cli_store()
    try:
        count = store.rotate_key(new_key)
        fingerprint = store.key_fingerprint
    finally:
        store.close()
    result: dict[str, object] = {"resealed": count, "keyFingerprint": fingerprint}
    if settings.secret_key is not None and new_key != settings.secret_key.get_secret_value():
        result["next"] = (
            "servers must now run with IDCARD_SECRET_KEY set to the new key "
            "(and the old one as IDCARD_SECRET_KEY_PREVIOUS until all have restarted)"
        )
    emit(result)


@keys.command("fingerprint")
@json_errors
def fingerprint() -> None:
    """Print the fingerprint of the current key (safe to share; the key itself is never printed)."""
    store = open_cli_store()
    try:
        emit({"keyFingerprint": store.key_fingerprint})
    finally:
        store.close()

"""Where the server key comes from, and how a rotation replaces it.

* ``IDCARD_SECRET_KEY`` set: that is the current key. ``IDCARD_SECRET_KEY_PREVIOUS`` (optional)
  is still accepted for opening secrets, so servers can be given the new key before the stored
  secrets are re-sealed, and no valid request fails while a rotation runs.
* Unset, SQLite: the key lives beside the database in ``<db>.key`` (created on first start with
  mode 0600). A rotation first writes ``<db>.key.next``, re-seals the secrets, then moves the old
  key to ``<db>.key.previous`` and the new one to ``<db>.key``. Every file present is loaded,
  and a server meeting a fingerprint it does not know re-reads the files once. (Key files are
  ignored once ``IDCARD_SECRET_KEY`` is set; to move from a file to the variable, give the
  file's key as ``IDCARD_SECRET_KEY_PREVIOUS`` and run ``idcard-ocr keys rotate``.)
* Unset, PostgreSQL: refused with :class:`ConfigError` (several hosts must share one key).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import ConfigError
from idcard_ocr.storage.crypto import KeyRing, SealingKey, new_server_key

log = logging.getLogger(__name__)

PREVIOUS_KEY_ENV = "IDCARD_SECRET_KEY_PREVIOUS"


def key_file_for(settings: Settings) -> Path | None:
    """``<db>.key`` for a SQLite file database; None for other databases."""
    if not settings.is_sqlite:
        return None
    database = make_url(settings.resolved_database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database + ".key")


def _read_key(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def write_key_file(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` with mode 0600, never readable by others even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    os.chmod(path, 0o600)


def _previous_from_settings(settings: Settings) -> str | None:
    value = settings.secret_key_previous
    return value.get_secret_value() if value is not None else None


class KeySource:
    """Loads the :class:`KeyRing` for a store and, for a key file, carries out rotations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key_file = key_file_for(settings)
        self.from_env = settings.secret_key is not None

    @property
    def reloadable(self) -> bool:
        """Whether re-reading can find keys another process wrote (key-file mode)."""
        return not self.from_env and self.key_file is not None

    def load(self, *, create: bool = True) -> KeyRing:
        """The current key and every older one still accepted."""
        older: list[str] = []
        previous = _previous_from_settings(self.settings)
        if previous:
            older.append(previous)
        current: str | None = None
        if self.settings.secret_key is not None:
            current = self.settings.secret_key.get_secret_value()
        if self.reloadable:
            assert self.key_file is not None
            # ``.next`` first: a rotation finishing while these are read moves it onto ``<db>.key``
            # (after writing ``.previous``), so the new key is found in one file or the other.
            # Were the key file read first, ``.next`` could be gone by the time it was looked for,
            # and a server reloading for the new fingerprint would answer with a key mismatch.
            file_keys = {s: _read_key(Path(f"{self.key_file}{s}")) for s in (".next", "", ".previous")}
            current = file_keys[""]
            if current is None and create:
                current = self._create_key_file()
            older.extend(k for k in file_keys.values() if k)
        elif current is None and not self.settings.is_sqlite:
            raise ConfigError(
                "IDCARD_SECRET_KEY is not set: with PostgreSQL every server must be given the same "
                "key (at least 32 characters) that encrypts app secrets"
            )
        if current is None:
            raise ConfigError("IDCARD_SECRET_KEY is not set and there is no key file to keep one in")
        try:
            return KeyRing(SealingKey.from_text(current), tuple(SealingKey.from_text(k) for k in older))
        except ValueError as exc:
            raise ConfigError(f"{exc} (IDCARD_SECRET_KEY / {PREVIOUS_KEY_ENV} / key file)") from None

    def _create_key_file(self) -> str:
        assert self.key_file is not None
        key = new_server_key()
        write_key_file(self.key_file, key)
        log.warning(
            "generated a new server key in %s (mode 0600); back it up with the database", self.key_file
        )
        return key

    def stage(self, new_key: str) -> None:
        """Before re-sealing: keep the new key where every process can find it."""
        if self.reloadable:
            assert self.key_file is not None
            write_key_file(Path(f"{self.key_file}.next"), new_key)

    def promote(self) -> None:
        """After re-sealing: the new key becomes ``<db>.key``, the old one ``<db>.key.previous``."""
        if not self.reloadable:
            return
        assert self.key_file is not None
        old_key = _read_key(self.key_file)
        if old_key:
            write_key_file(Path(f"{self.key_file}.previous"), old_key)
        os.replace(f"{self.key_file}.next", self.key_file)

"""App secrets: sealed at rest, a wrong or missing key refused clearly, and key rotation."""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update

from idcard_ocr.settings import Settings
from idcard_ocr.storage import ConfigError, SecretKeyMismatch
from idcard_ocr.storage.models import app_secrets
from idcard_ocr.storage.sql import SqlStore, open_store

OTHER_KEY = "another-server-key-zyxwvutsrqponmlkjihgfedcba"
NEW_KEY = "rotated-server-key-0000000000000000000000000"

SettingsFor = Callable[..., Settings]


def test_secret_round_trips_and_is_not_stored_in_clear(store: SqlStore) -> None:
    account, secret = store.create_account()
    assert store.get_secret(account.app_id) == secret
    with store.engine.connect() as conn:
        row = conn.execute(select(app_secrets)).mappings().one()
    assert secret.encode() not in bytes(row["sealed"])
    assert secret not in repr(dict(row))
    assert len(row["key_fingerprint"]) == 16


def test_sqlite_file_holds_no_secret_in_clear(tmp_path: Path, settings_for: SettingsFor) -> None:
    db = tmp_path / "plain.db"
    opened = open_store(settings_for(f"sqlite:///{db}"))
    _, secret = opened.create_account()
    opened.close()  # checkpoints the WAL into the main file
    for path in tmp_path.iterdir():
        if path.name.startswith("plain.db") and not path.name.endswith(".key"):
            assert secret.encode() not in path.read_bytes(), path.name


def test_a_secret_moved_to_another_account_does_not_open(store: SqlStore) -> None:
    a, _ = store.create_account()
    b, _ = store.create_account()
    with store.engine.begin() as conn:
        sealed_a = conn.execute(select(app_secrets.c.sealed).where(app_secrets.c.app_id == a.app_id)).scalar()
        conn.execute(update(app_secrets).where(app_secrets.c.app_id == b.app_id).values(sealed=sealed_a))
    with pytest.raises(SecretKeyMismatch):
        store.get_secret(b.app_id)


def test_wrong_key_is_refused_at_start_naming_the_setting(
    database_url: str, settings_for: SettingsFor
) -> None:
    first = open_store(settings_for(database_url))
    first.create_account()
    first.close()
    with pytest.raises(SecretKeyMismatch, match="IDCARD_SECRET_KEY"):
        open_store(settings_for(database_url, secret_key=OTHER_KEY))


def test_sqlite_generates_a_private_key_file_once(
    tmp_path: Path, settings_for: SettingsFor, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'k' / 'idcard-ocr.db'}"
    with caplog.at_level(logging.WARNING, logger="idcard_ocr.storage"):
        first = open_store(settings_for(url, secret_key=None))
    key_file = tmp_path / "k" / "idcard-ocr.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32
    assert "generated a new server key" in caplog.text and key not in caplog.text
    account, secret = first.create_account()
    first.close()
    again = open_store(settings_for(url, secret_key=None))
    assert again.get_secret(account.app_id) == secret
    assert key_file.read_text().strip() == key
    again.close()


@pytest.mark.postgres
def test_postgres_without_a_key_refuses_to_start(postgres_server: str, settings_for: SettingsFor) -> None:
    with pytest.raises(ConfigError, match="IDCARD_SECRET_KEY"):
        open_store(settings_for(postgres_server, secret_key=None))


def test_rotation_reseals_every_secret_under_the_new_key(
    database_url: str, settings_for: SettingsFor
) -> None:
    store = open_store(settings_for(database_url))
    made = [store.create_account() for _ in range(3)]
    old_fingerprint = store.key_fingerprint
    assert store.rotate_key(NEW_KEY) == 3
    assert store.key_fingerprint != old_fingerprint
    for account, secret in made:  # the rotating process keeps answering
        assert store.get_secret(account.app_id) == secret
    store.close()
    with pytest.raises(SecretKeyMismatch):  # the old key alone no longer opens anything
        open_store(settings_for(database_url, secret_key=OTHER_KEY))
    rotated = open_store(settings_for(database_url, secret_key=NEW_KEY))
    assert [rotated.get_secret(a.app_id) for a, _ in made] == [s for _, s in made]
    rotated.close()


def test_servers_given_new_and_previous_keys_answer_before_and_after_rotation(
    database_url: str, settings_for: SettingsFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = OTHER_KEY
    before = open_store(settings_for(database_url, secret_key=old_key))
    account, secret = before.create_account()
    before.close()
    # Step 1: servers restart with the new key, the old one as previous; old secrets still open.
    monkeypatch.setenv("IDCARD_SECRET_KEY_PREVIOUS", old_key)
    server = open_store(settings_for(database_url, secret_key=NEW_KEY))
    assert server.get_secret(account.app_id) == secret
    # Step 2: the operator re-seals under the current key while the server keeps answering.
    operator = open_store(settings_for(database_url, secret_key=NEW_KEY))
    assert operator.rotate_key(NEW_KEY) == 1
    operator.close()
    assert server.get_secret(account.app_id) == secret
    server.close()
    # Step 3: the previous key can go.
    monkeypatch.delenv("IDCARD_SECRET_KEY_PREVIOUS")
    after = open_store(settings_for(database_url, secret_key=NEW_KEY))
    assert after.get_secret(account.app_id) == secret
    after.close()


def test_key_file_rotation_reaches_a_running_server(tmp_path: Path, settings_for: SettingsFor) -> None:
    url = f"sqlite:///{tmp_path / 'idcard-ocr.db'}"
    server = open_store(settings_for(url, secret_key=None))
    account, secret = server.create_account()
    old_key = (tmp_path / "idcard-ocr.db.key").read_text().strip()
    operator = open_store(settings_for(url, secret_key=None))
    operator.rotate_key(NEW_KEY)
    operator.close()
    assert (tmp_path / "idcard-ocr.db.key").read_text().strip() == NEW_KEY
    assert (tmp_path / "idcard-ocr.db.key.previous").read_text().strip() == old_key
    assert not (tmp_path / "idcard-ocr.db.key.next").exists()
    assert server.get_secret(account.app_id) == secret  # re-reads the key files once
    server.close()


@pytest.mark.parametrize("reads_before_promote", [0, 1, 2, 3])
def test_a_server_reloading_while_a_rotation_finishes_finds_the_new_key(
    tmp_path: Path, settings_for: SettingsFor, monkeypatch: pytest.MonkeyPatch, reads_before_promote: int
) -> None:
    # The secrets are already re-sealed under the new key; the rotation's last step (old key to
    # ``.previous``, ``.next`` onto the key file) lands between two of a reloading server's
    # reads of the key files. Whatever the moment, the server must hold the new key.
    import idcard_ocr.storage.server_key as server_key

    url = f"sqlite:///{tmp_path / 'idcard-ocr.db'}"
    settings = settings_for(url, secret_key=None)
    source = server_key.KeySource(settings)
    old = source.load()
    source.stage(NEW_KEY)
    read = server_key._read_key
    reads: list[Path] = []

    def racing(path: Path) -> str | None:
        if len(reads) == reads_before_promote:
            reads.append(path)  # counted first: promoting reads the old key file itself
            source.promote()
        else:
            reads.append(path)
        return read(path)

    monkeypatch.setattr(server_key, "_read_key", racing)
    ring = source.load(create=False)
    new = server_key.SealingKey.from_text(NEW_KEY)
    assert ring.holds(new.fingerprint) and ring.holds(old.current.fingerprint)

"""The :class:`~idcard_ocr.storage.base.Store` on SQLAlchemy 2: SQLite by default, PostgreSQL by URL.

``open_store`` loads the server key (see ``server_key``), brings the schema to the newest
migration (unless ``migrate=False``, when it only checks and asks for ``idcard-ocr db upgrade``),
and checks that every stored app secret was sealed under a key this process holds.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, select, update

from idcard_ocr.settings import Settings
from idcard_ocr.storage import billing, holds
from idcard_ocr.storage.base import (
    Account,
    AccountNotFound,
    CallRecord,
    ChargeOutcome,
    Hold,
    HoldOutcome,
    SecretKeyMismatch,
    Store,
    Switches,
    SwitchName,
    UsageRow,
)
from idcard_ocr.storage.crypto import KeyRing, SealingKey, new_app_id, new_app_secret
from idcard_ocr.storage.migrate import make_engine, require_head, upgrade
from idcard_ocr.storage.models import accounts, app_secrets, switches
from idcard_ocr.storage.nodes import NodeLeases
from idcard_ocr.storage.server_key import KeySource

_FLAGS = ("enabled", "subscribed", "replay_guard")


def _could_be_app_id(app_id: str) -> bool:
    # PostgreSQL refuses text holding NUL with an error instead of "no such row"; no issued appId
    # contains one, so such a caller-supplied id is simply unknown on every backend.
    return "\x00" not in app_id


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_cidrs(cidrs: Sequence[str]) -> tuple[str, ...]:
    """Each CIDR or bare address in canonical form (``10.0.0.7`` → ``10.0.0.7/32``); ValueError if bad."""
    if isinstance(cidrs, str):
        cidrs = [cidrs]
    out: list[str] = []
    for cidr in cidrs:
        try:
            out.append(str(ipaddress.ip_network(str(cidr).strip(), strict=False)))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {cidr!r}") from None
    return tuple(dict.fromkeys(out))


def _check_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate account fields; returns the column values to write."""
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "name":
            values["name"] = str(value)
        elif key == "balance":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("balance must be a whole number >= 0")
            values["balance"] = value
        elif key == "qps":
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError("qps must be a whole number >= 1, or None for unlimited")
            values["qps"] = value
        elif key == "daily_quota":
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError("daily_quota must be a whole number >= 0, or None for unlimited")
            values["daily_quota"] = value
        elif key == "ip_allow":
            values["ip_allow"] = json.dumps(list(normalise_cidrs(value)))
        elif key in _FLAGS:
            values[key] = bool(value)
        else:
            raise ValueError(f"unknown account field: {key}")
    return values


def _account(row: RowMapping) -> Account:
    return Account(
        app_id=row["app_id"],
        name=row["name"],
        balance=int(row["balance"]),
        qps=row["qps"],
        daily_quota=row["daily_quota"],
        ip_allow=tuple(json.loads(row["ip_allow"])),
        enabled=bool(row["enabled"]),
        subscribed=bool(row["subscribed"]),
        created_at=row["created_at"].replace(tzinfo=UTC),
        replay_guard=bool(row["replay_guard"]),
    )


class SqlStore(Store):
    """Accounts, sealed secrets, switches, calls and the ledger in one SQL database."""

    def __init__(self, engine: Engine, keys: KeyRing, key_source: KeySource | None = None) -> None:
        self.engine = engine
        self._keys = keys
        self._key_source = key_source
        self._nodes = NodeLeases(engine)

    def _writing(self) -> Connection:
        """A connection whose transactions exclude other writers from the start on SQLite."""
        conn = self.engine.connect()
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        return conn

    # Accounts
    def create_account(
        self,
        *,
        name: str = "",
        balance: int = 0,
        qps: int | None = None,
        daily_quota: int | None = None,
        ip_allow: Sequence[str] = (),
        subscribed: bool = True,
    ) -> tuple[Account, str]:
        """Create an account; returns it with its app secret, which is shown only this once."""
        values = _check_changes(
            {
                "name": name,
                "balance": balance,
                "qps": qps,
                "daily_quota": daily_quota,
                "ip_allow": ip_allow,
                "subscribed": subscribed,
            }
        )
        app_id, secret, now = new_app_id(), new_app_secret(), _now()
        key = self._keys.current
        with self._writing() as conn, conn.begin():
            conn.execute(accounts.insert().values(app_id=app_id, created_at=now, updated_at=now, **values))
            conn.execute(
                app_secrets.insert().values(
                    app_id=app_id,
                    key_fingerprint=key.fingerprint,
                    sealed=key.seal(secret, app_id),
                    sealed_at=now,
                )
            )
        account = self.get_account(app_id)
        assert account is not None
        return account, secret

    def get_account(self, app_id: str) -> Account | None:
        """The account, or None for an unknown appId."""
        if not _could_be_app_id(app_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.app_id == app_id)).mappings().first()
        return _account(row) if row is not None else None

    def get_secret(self, app_id: str) -> str | None:
        """The decrypted app secret; None for an unknown appId; SecretKeyMismatch for a wrong key."""
        if not _could_be_app_id(app_id):
            return None
        query = select(app_secrets.c.sealed, app_secrets.c.key_fingerprint).where(
            app_secrets.c.app_id == app_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        sealed, fingerprint = bytes(row[0]), row[1]
        if not self._keys.holds(fingerprint) and self._key_source is not None and self._key_source.reloadable:
            self._keys = self._key_source.load(create=False)  # another process rotated the key file
        return self._keys.open(sealed, app_id, fingerprint)

    def update_account(self, app_id: str, **changes: object) -> Account:
        """Change fields; ``topup=N`` adds N atomically (never below 0). Raises AccountNotFound."""
        topup = changes.pop("topup", None)
        values = _check_changes(dict(changes))
        if topup is not None and (not isinstance(topup, int) or isinstance(topup, bool)):
            raise ValueError("topup must be a whole number")
        with self._writing() as conn, conn.begin():
            if conn.execute(select(accounts.c.app_id).where(accounts.c.app_id == app_id)).first() is None:
                raise AccountNotFound(app_id)
            values["updated_at"] = _now()
            conn.execute(update(accounts).where(accounts.c.app_id == app_id).values(**values))
            if topup:
                done = conn.execute(
                    update(accounts)
                    .where(accounts.c.app_id == app_id, accounts.c.balance + topup >= 0)
                    .values(balance=accounts.c.balance + topup)
                )
                if done.rowcount != 1:
                    raise ValueError("a negative top-up may not take the balance below 0")
        account = self.get_account(app_id)
        assert account is not None
        return account

    def list_accounts(self) -> list[Account]:
        """Every account, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(accounts).order_by(accounts.c.created_at, accounts.c.app_id)
            ).mappings()
            return [_account(r) for r in rows]

    # Global switches
    def get_switches(self) -> Switches:
        """Both switches in one small query."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(switches.c.name, switches.c.is_on)).all()
        state = {name: is_on for name, is_on in rows}
        return Switches(
            maintenance=bool(state.get("maintenance", False)),
            product_enabled=bool(state.get("product", True)),
        )

    def set_switch(self, name: SwitchName, on: bool) -> Switches:
        """Turn ``maintenance`` or ``product`` on or off; returns both switches."""
        if name not in ("maintenance", "product"):
            raise ValueError(f"unknown switch: {name}")
        with self._writing() as conn, conn.begin():
            conn.execute(
                update(switches).where(switches.c.name == name).values(is_on=bool(on), updated_at=_now())
            )
        return self.get_switches()

    # Calls and the ledger
    def billed_on(self, app_id: str, day: date) -> int:
        """Billed calls of an account on a server-local calendar day."""
        with self.engine.connect() as conn:
            return billing.billed_on(conn, app_id, day)

    def place_hold(
        self, task_no: str, app_id: str, *, price: int, daily_quota: int | None, at: datetime, ttl_s: float
    ) -> HoldOutcome:
        """Reserve a call's price in one transaction; see :func:`billing.place_hold`."""
        with self._writing() as conn, conn.begin():
            return billing.place_hold(
                conn, task_no, app_id, price=price, daily_quota=daily_quota, at=at, ttl_s=ttl_s
            )

    def release_hold(self, task_no: str) -> bool:
        """Drop the hold of ``task_no`` without charging; False when there was none."""
        with self._writing() as conn, conn.begin():
            return holds.release(conn, task_no)

    def open_holds(self, app_id: str | None = None) -> list[Hold]:
        """Holds still stored, expired ones included, oldest first."""
        with self.engine.connect() as conn:
            return holds.listed(conn, app_id)

    def reclaim_expired_holds(self, now: datetime | None = None) -> int:
        """Delete every hold expired by ``now`` (naive UTC, default the present); returns how many."""
        with self._writing() as conn, conn.begin():
            return holds.reclaim_expired(conn, now or _now())

    def finish_call(self, record: CallRecord, *, price: int, daily_quota: int | None) -> ChargeOutcome:
        """Record a call, settle its hold, charge it: one transaction; see :func:`billing.finish_call`."""
        with self._writing() as conn, conn.begin():
            return billing.finish_call(conn, record, price=price, daily_quota=daily_quota)

    def usage(self, app_id: str | None = None, since: date | None = None) -> list[UsageRow]:
        """Calls, billed calls and calls per code, per account."""
        with self.engine.connect() as conn:
            return billing.usage(conn, app_id, since)

    def allocate_node_id(self) -> int:
        """Lease a node id 0..999 unique among live processes (see ``nodes``)."""
        return self._nodes.allocate()

    # Keys
    def check_keys(self) -> None:
        """Raise SecretKeyMismatch unless every stored secret was sealed under a key held."""
        with self.engine.connect() as conn:
            used = set(conn.execute(select(app_secrets.c.key_fingerprint).distinct()).scalars())
        missing = sorted(used - self._keys.fingerprints)
        if missing:
            raise SecretKeyMismatch(
                f"app secrets in this database were sealed under key {', '.join(missing)}, but this "
                f"server holds {', '.join(sorted(self._keys.fingerprints))}: IDCARD_SECRET_KEY is wrong "
                "(or, during a rotation, IDCARD_SECRET_KEY_PREVIOUS is missing)"
            )

    def rotate_key(self, new_key: str) -> int:
        """Re-seal every app secret under ``new_key`` in one transaction; returns how many.

        Afterwards this store seals under ``new_key`` and still opens secrets under the old keys.
        """
        new = SealingKey.from_text(new_key)
        if self._key_source is not None:
            self._key_source.stage(new_key)
        count = 0
        with self._writing() as conn, conn.begin():
            rows = conn.execute(select(app_secrets).with_for_update()).mappings().all()
            for row in rows:
                plain = self._keys.open(bytes(row["sealed"]), row["app_id"], row["key_fingerprint"])
                conn.execute(
                    update(app_secrets)
                    .where(app_secrets.c.app_id == row["app_id"])
                    .values(
                        key_fingerprint=new.fingerprint,
                        sealed=new.seal(plain, row["app_id"]),
                        sealed_at=_now(),
                    )
                )
                count += 1
        self._keys = KeyRing(new, self._keys.keys)
        if self._key_source is not None:
            self._key_source.promote()
        return count

    @property
    def key_fingerprint(self) -> str:
        """Fingerprint of the key new secrets are sealed under (safe to print)."""
        return self._keys.current.fingerprint

    def close(self) -> None:
        """Free leased node ids and close every connection."""
        try:
            self._nodes.release()
        finally:
            self.engine.dispose()


def open_store(settings: Settings, *, migrate: bool = True) -> SqlStore:
    """Open the store ``settings`` describe, migrating it to the newest schema unless told not to.

    Raises :class:`ConfigError` for a missing PostgreSQL key, a wrong key or (with
    ``migrate=False``) a database behind the migrations.
    """
    engine = make_engine(settings.resolved_database_url)  # refuses unusable URLs before any key work
    try:
        key_source = KeySource(settings)
        keys = key_source.load()
        if migrate:
            upgrade(engine)
        else:
            require_head(engine)
        store = SqlStore(engine, keys, key_source)
        store.check_keys()
    except Exception:
        engine.dispose()
        raise
    return store

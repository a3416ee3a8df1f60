"""Worker node ids (0..999) for taskNo = 13-digit ms time + 3-digit node + 4-digit sequence.

Each process leases the lowest id no live process holds: a row in ``worker_nodes`` with its
holder (host:pid:random) and a lease end. A daemon thread renews the lease every third of its
length; an id whose lease ran out (a process that died without closing) is free again. So two
live processes never share an id, and an id is reused only after its old holder has been silent
for a whole lease, longer than any request lasts. Lease times use the hosts' clocks, which must
be kept in step (NTP) as the contract's timestamp window already demands.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from idcard_ocr.storage.models import worker_nodes

log = logging.getLogger(__name__)

MAX_NODES = 1000
LEASE_S = 90.0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class NodeLeases:
    """The node ids this process holds, kept alive by a background renewal thread."""

    def __init__(self, engine: Engine, *, lease_s: float = LEASE_S) -> None:
        self._engine = engine
        self._lease = timedelta(seconds=lease_s)
        self._holder = f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _begin(self) -> Connection:
        conn = self._engine.connect()
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        return conn

    def allocate(self) -> int:
        """Lease the lowest free id; raises RuntimeError when all 1000 are taken."""
        for _attempt in range(20):
            with self._begin() as conn, conn.begin():
                now = _now()
                conn.execute(delete(worker_nodes).where(worker_nodes.c.lease_until < now))
                taken = set(conn.execute(select(worker_nodes.c.node_id)).scalars())
                free = next((i for i in range(MAX_NODES) if i not in taken), None)
                if free is None:
                    raise RuntimeError("all 1000 worker node ids are leased by live processes")
                try:
                    with conn.begin_nested():
                        conn.execute(
                            worker_nodes.insert().values(
                                node_id=free, holder=self._holder, lease_until=now + self._lease
                            )
                        )
                except IntegrityError:
                    continue  # another process took it between our read and write: try again
            with self._lock:
                self._held.add(free)
            self._start_renewal()
            return free
        raise RuntimeError("could not lease a worker node id: too much contention")

    def _start_renewal(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._renew_forever, name="node-lease", daemon=True)
            self._thread.start()

    def _renew_forever(self) -> None:
        interval = self._lease.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                self.renew()
            except Exception:  # the database may be briefly away; the next round retries
                log.exception("could not renew worker node leases")

    def renew(self) -> None:
        """Push the lease end of every held id forward."""
        with self._lock:
            held = sorted(self._held)
        if not held:
            return
        with self._begin() as conn, conn.begin():
            conn.execute(
                update(worker_nodes)
                .where(worker_nodes.c.node_id.in_(held), worker_nodes.c.holder == self._holder)
                .values(lease_until=_now() + self._lease)
            )

    def release(self) -> None:
        """Stop renewing and free every held id."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            held, self._held = sorted(self._held), set()
        if held:
            with self._begin() as conn, conn.begin():
                conn.execute(
                    delete(worker_nodes).where(
                        worker_nodes.c.node_id.in_(held), worker_nodes.c.holder == self._holder
                    )
                )

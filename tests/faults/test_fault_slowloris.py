"""Slow clients on a real uvicorn server do not starve the others.

Thirty connections drip their headers (or their body) one byte at a time; meanwhile an ordinary
client's signed request must complete promptly and be billed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from idcard_ocr.api.app import create_app
from idcard_ocr.cli.serve import HTTP_PROTOCOL
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore, open_store
from tests.api.support import Caller, StubRecognizer, jpeg_bytes

SLOW_CLIENTS = 30


@pytest.fixture
def live_server(tmp_path: Path, settings_for: Callable[..., Settings]) -> Iterator[tuple[str, SqlStore]]:
    """``http://127.0.0.1:<port>`` of a real uvicorn serving the app, and its store."""
    settings = settings_for(f"sqlite:///{(tmp_path / 'db' / 'idcard-ocr.db').as_posix()}")
    store = open_store(settings)
    app = create_app(settings, store, StubRecognizer())
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=HTTP_PROTOCOL, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)  # parsing HTTP as `idcard-ocr serve` does
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listener])), daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", store
    finally:
        server.should_exit = True
        thread.join(5)
        app.state.endpoint.close()
        store.close()
        listener.close()


def _drip(address: tuple[str, int], head: bytes, stop: threading.Event) -> None:
    """Open a connection, send ``head`` at once, then one more header byte every 0.1 s."""
    with contextlib.suppress(OSError), socket.create_connection(address, timeout=5) as conn:
        conn.sendall(head)
        while not stop.is_set():
            conn.sendall(b"X")
            stop.wait(0.1)


def test_slow_clients_do_not_starve_a_normal_request(live_server: tuple[str, SqlStore]) -> None:
    base, store = live_server
    account, secret = store.create_account(balance=5)
    caller = Caller(account.app_id, secret)
    host, port = base.removeprefix("http://").split(":")
    address = (host, int(port))
    slow_header = b"POST /ocr/idcard-v1 HTTP/1.1\r\nHost: x\r\nX-Slow: "
    slow_body = (
        b"POST /ocr/idcard-v1 HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nappId="
    )
    stop = threading.Event()
    drippers = [
        threading.Thread(target=_drip, args=(address, slow_header if i % 2 else slow_body, stop), daemon=True)
        for i in range(SLOW_CLIENTS)
    ]
    for thread in drippers:
        thread.start()
    try:
        time.sleep(0.5)  # every slow connection is open and dripping
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=10) as http:
            response = http.post(
                "/ocr/idcard-v1", data=caller.signed(), files={"file": ("c.jpg", jpeg_bytes())}
            )
            health = http.get("/healthz")
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        for thread in drippers:
            thread.join(2)
    assert (response.json()["code"], response.json()["charge"]) == (200, True)
    assert health.status_code == 200
    assert elapsed < 2.0, f"a normal request took {elapsed:.2f} s beside {SLOW_CLIENTS} slow clients"
    reread = store.get_account(caller.app_id)
    assert reread is not None and reread.balance == 4

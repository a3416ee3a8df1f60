"""The SDK over real sockets (a throw-away stdlib server on 127.0.0.1): timeouts and refusals too."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from client_fakes import APP_ID, APP_SECRET, FRONT_BODY

from idcard_ocr.client import AsyncClient, Client, TransportError

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4


@dataclass
class LocalServer:
    """What the server answers (after ``delay_s``) and what it received."""

    base_url: str = ""
    answer: dict = field(default_factory=lambda: FRONT_BODY)
    delay_s: float = 0.0
    received: list[tuple[str, str, bytes]] = field(default_factory=list)  # (path, content type, body)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    state = LocalServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((self.path, self.headers["Content-Type"], body))
            time.sleep(state.delay_s)
            payload = json.dumps(state.answer).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sync_round_trip_uploads_the_photo(local_server: LocalServer) -> None:
    with Client(APP_ID, APP_SECRET, local_server.base_url) as client:
        card = client.recognize(file=JPEG)
        again = client.recognize(base64="aGk=")  # same pooled connection, second request
    assert card.front is not None and card.front.number == "330106198912014010"
    assert again.task_no == FRONT_BODY["taskNo"]
    (path, content_type, body), (_, second_type, _) = local_server.received
    assert path == "/ocr/idcard-v1"
    assert content_type.startswith("multipart/form-data") and JPEG in body
    assert second_type == "application/x-www-form-urlencoded"


def test_async_round_trip(local_server: LocalServer) -> None:
    async def go():
        async with AsyncClient(APP_ID, APP_SECRET, local_server.base_url) as client:
            return await asyncio.gather(*(client.recognize(file=JPEG) for _ in range(3)))

    cards = asyncio.run(go())
    assert [card.front.name for card in cards if card.front] == ["赵宁宁"] * 3
    assert len(local_server.received) == 3


def test_timeout_applies_and_a_slow_answer_is_not_resent(local_server: LocalServer) -> None:
    local_server.delay_s = 0.8
    started = time.monotonic()
    client = Client(APP_ID, APP_SECRET, local_server.base_url, timeout=0.1, backoff=0)
    with client, pytest.raises(TransportError, match="ReadTimeout"):
        client.recognize(file=JPEG)
    assert time.monotonic() - started < 0.7
    assert len(local_server.received) == 1  # the server may be billing it: never sent twice


class CountingTransport(httpx.HTTPTransport):
    """The real network transport, counting the requests it is handed."""

    attempts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        return super().handle_request(request)


def test_refused_connection_is_retried_then_reported() -> None:
    transport = CountingTransport()
    base_url = f"http://127.0.0.1:{closed_port()}"
    client = Client(APP_ID, APP_SECRET, base_url, retries=2, backoff=0, transport=transport)
    with client, pytest.raises(TransportError, match="ConnectError"):
        client.recognize(file=JPEG)
    assert transport.attempts == 3

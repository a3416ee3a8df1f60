"""Loopback servers, a scripted resolver and a socket-level connection log for url attacks.

``site`` plays any web server the test needs (an allowed image host, or a "public" host once
connections to a public address are steered to it); ``trap`` stands for the operator's internal
network and must never see a request. ``ConnectionLog`` patches the one place httpx opens TCP
connections, so a test can prove which address a fetch really connected to.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from httpcore._backends.auto import AutoBackend

from idcard_ocr.api.url_fetch import IPAddress, parse_ip_literal
from tests.api.support import jpeg_bytes

PHOTO = jpeg_bytes(160, 100)
MB2 = 2 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    """/card.jpg the photo; /redirect?to=X a 302; /drip one byte per 0.1 s; /liar a Content-Length
    of 100 then 3 MB; /chunked 3 MB chunked; anything else 404. Every request is logged."""

    server: _LoggingServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        if self.path == "/card.jpg":
            self._send(200, PHOTO, {"Content-Length": str(len(PHOTO))})
        elif self.path.startswith("/redirect?to="):
            self._send(302, b"", {"Location": self.path.split("=", 1)[1], "Content-Length": "0"})
        elif self.path == "/drip":
            self._send(200, b"", {"Content-Length": "10000"})
            with contextlib.suppress(OSError):
                for _ in range(10000):
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                    time.sleep(0.1)
        elif self.path == "/liar":
            self._send(200, b"\xff" * (3 * 1024 * 1024), {"Content-Length": "100"})
        elif self.path == "/chunked":
            self._send(200, b"", {"Transfer-Encoding": "chunked"})
            with contextlib.suppress(OSError):
                chunk = b"\xff" * 65536
                for _ in range(48):  # 3 MB
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(404, b"", {"Content-Length": "0"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


class _LoggingServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, str]]


@contextlib.contextmanager
def loopback_server() -> Iterator[_LoggingServer]:
    """A :class:`_Handler` server on 127.0.0.1 with a fresh request log."""
    server = _LoggingServer(("127.0.0.1", 0), _Handler)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def port_of(server: _LoggingServer) -> int:
    return int(server.server_address[1])


@dataclass
class ScriptedResolver:
    """A resolver answering from ``answers`` (host → one list per lookup; the last repeats).

    IP literals are answered like the real resolver does; unknown names fail like NXDOMAIN.
    """

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        literal = parse_ip_literal(host)
        if literal is not None:
            return [literal]
        self.lookups.append(host)
        script = self.answers.get(host.rstrip(".").lower())
        if not script:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        nth = min(self.lookups.count(host) - 1, len(script) - 1)
        return [ipaddress.ip_address(a) for a in script[nth]]


@dataclass
class ConnectionLog:
    """Every TCP connection httpx opened: (host, port). Public addresses are steered to ``site``."""

    steer_to: int
    opened: list[tuple[str, int]] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = AutoBackend.connect_tcp
        log = self

        async def connect_tcp(self: AutoBackend, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
            log.opened.append((host, port))
            address = ipaddress.ip_address(host.strip("[]"))
            if address.is_global:  # no internet here: the loopback site plays the public server
                return await original(self, "127.0.0.1", log.steer_to, *args, **kwargs)
            return await original(self, host, port, *args, **kwargs)

        monkeypatch.setattr(AutoBackend, "connect_tcp", connect_tcp)

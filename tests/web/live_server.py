"""The real app under uvicorn (parsing HTTP as ``idcard-ocr serve`` does) on a free loopback port,
in a background thread, plus test doubles."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import uvicorn
from starlette.types import ASGIApp

from idcard_ocr.cli.serve import HTTP_PROTOCOL
from idcard_ocr.pipeline.types import FieldReading, Recognition
from tests.api.support import FRONT_INFO

FRONT_VALIDITY = {"birthday": True, "number": True, "address": True, "sex": True, "name": False}


def front_recognition(rotate: int = 0) -> Recognition:
    """A fixed front-side answer; ``name`` deliberately fails its check so ticks can be told apart."""
    return Recognition(
        text_found=True,
        side="front",
        rotate=rotate,
        info=dict(FRONT_INFO),
        validity=dict(FRONT_VALIDITY),
        fields={"name": FieldReading("赵宁宁", 0.97, ((10, 10), (90, 10), (90, 30), (10, 30)))},
    )


@dataclass
class StubRecognizer:
    """Returns ``answer`` for any photo and keeps the bytes it was given."""

    answer: Recognition = field(default_factory=front_recognition)
    seen: list[bytes] = field(default_factory=list)

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        self.seen.append(image)
        return self.answer


@contextmanager
def serve_in_thread(app: ASGIApp, timeout_s: float = 15.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 with its lifespan; yields the base URL, stops the server after."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, http=HTTP_PROTOCOL, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listener.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        listener.close()

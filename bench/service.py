"""The service's own overhead per request: auth, limits, billing, envelope — not the OCR.

The recogniser is replaced by one returning a constant answer, so what is measured is everything
around it: reading the multipart body, the sign check, the account checks, the image gate, the
atomic charge and the JSON envelope. Requests go in-process over ASGI (no sockets) and, with
``--uvicorn``, also through uvicorn on loopback. Each backend is warmed up first, then timed
request by request; the table gives p50/p99 in milliseconds.

    .venv/bin/python bench/service.py                 # SQLite and (if it answers) PostgreSQL
    .venv/bin/python bench/service.py --requests 2000 --uvicorn
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import secrets
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
from PIL import Image

from idcard_ocr.api import create_app
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.pipeline.types import Recognition
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore, open_store

POSTGRES_URL = os.environ.get(
    "IDCARD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BENCH_SECRET_KEY = "bench-server-key-0123456789abcdefghijklmnop"
CONSTANT = Recognition(
    text_found=True,
    side="front",
    info={"name": "赵宁宁", "number": "330106198912014010", "sex": "男", "nation": "汉",
          "year": "1989", "month": "12", "day": "1", "address": "浙江省杭州市西湖区文二路108号"},
    validity={"birthday": True, "number": True, "address": True, "sex": True, "name": True},
)  # fmt: skip


class ConstantRecognizer:
    """Answers every photo with the contract's front sample, instantly."""

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        return CONSTANT


def sample_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (856, 540), (200, 190, 170)).save(out, "JPEG", quality=85)
    return out.getvalue()


@contextmanager
def sqlite_settings() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="idcard-bench-") as folder:
        yield Settings(data_dir=Path(folder))


@contextmanager
def postgres_settings() -> Iterator[Settings]:
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"idc_bench_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]  # generated name
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield Settings(database_url=url.render_as_string(hide_password=False), secret_key=BENCH_SECRET_KEY)
    finally:
        with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # type: ignore[arg-type]


async def timed_requests(
    client: httpx.AsyncClient, app_id: str, secret: str, photo: bytes, count: int
) -> list[float]:
    """Milliseconds per request, one request at a time; every answer must be a billed 200."""
    timings: list[float] = []
    for _ in range(count):
        ts = str(time.time_ns() // 1_000_000)
        fields = {"appId": app_id, "timestamp": ts, "sign": sign_of(app_id, secret, ts)}
        started = time.perf_counter()
        response = await client.post("/ocr/idcard-v1", data=fields, files={"file": ("card.jpg", photo)})
        timings.append((time.perf_counter() - started) * 1000)
        body = response.json()
        if body["code"] != 200 or not body["charge"]:
            raise RuntimeError(f"unexpected answer {body['code']} {body['msg']}")
    return timings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def uvicorn_server(app: object) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def run_backend(
    settings: Settings, requests: int, warmup: int, through_uvicorn: bool
) -> dict[str, list[float]]:
    """Timings per transport for one storage backend."""
    store: SqlStore = open_store(settings)
    try:
        account, secret = store.create_account(name="bench", balance=10 * (requests + warmup) + 100)
        app = create_app(settings, store, ConstantRecognizer())
        photo = sample_photo()
        results: dict[str, list[float]] = {}

        async def measure(client: httpx.AsyncClient) -> list[float]:
            await timed_requests(client, account.app_id, secret, photo, warmup)
            return await timed_requests(client, account.app_id, secret, photo, requests)

        async def over_asgi() -> list[float]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                return await measure(client)

        results["asgi"] = asyncio.run(over_asgi())
        if through_uvicorn:
            with uvicorn_server(app) as base_url:

                async def over_loopback() -> list[float]:
                    async with httpx.AsyncClient(base_url=base_url) as client:
                        return await measure(client)

                results["uvicorn"] = asyncio.run(over_loopback())
        app.state.endpoint.close()
        return results
    finally:
        store.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="timed requests per backend and transport")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests first")
    parser.add_argument("--uvicorn", action="store_true", help="also measure through uvicorn on loopback")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()

    rows: list[tuple[str, str, list[float]]] = []
    backends = {"sqlite": sqlite_settings, "postgresql": postgres_settings}
    for name, settings_for in backends.items():
        if args.backend not in (name, "both"):
            continue
        try:
            with settings_for() as settings:
                for transport, timings in run_backend(
                    settings, args.requests, args.warmup, args.uvicorn
                ).items():
                    rows.append((name, transport, timings))
        except Exception as exc:  # e.g. PostgreSQL not running: report and go on
            print(f"{name}: skipped ({type(exc).__name__}: {exc})")

    print(f"\nService overhead per request (constant recogniser, {args.requests} sequential requests)")
    print(f"{'backend':<11} {'transport':<9} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, transport, timings in rows:
        print(
            f"{name:<11} {transport:<9} {percentile(timings, 0.5):>8.2f} {percentile(timings, 0.99):>8.2f}"
            f" {statistics.fmean(timings):>8.2f}"
        )


if __name__ == "__main__":
    main()

"""The fleet under load: ``uvicorn --workers N`` with the bench app, found and measured in ``/proc``.

Each run has its own Redis key prefix (dropped here afterwards) and PostgreSQL schema
(``idcard_ocr.storage.scratch``), so runs never see each other's counts or rows.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent


def drop_redis_prefix(url: str, prefix: str) -> None:
    """Delete every Redis key of one run."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_sockets(pid: int) -> int:
    """How many sockets a process holds (listening, clients, database, Redis)."""
    try:
        return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))
    except OSError:
        return 0


class Fleet:
    """``uvicorn --workers N`` on loopback, with the bench app."""

    def __init__(self, workers: int, env: dict[str, str], port: int) -> None:
        self.workers = workers
        self.port = port
        command = [sys.executable, "-m", "uvicorn", "--factory", "bench.load_app:create_app",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   "--log-level", "warning", "--no-access-log"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    async def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}")
                try:
                    healthy = (await client.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200
                except httpx.TransportError:
                    healthy = False
                if healthy and (self.workers == 1 or len(self.worker_pids()) >= self.workers):
                    return
                await asyncio.sleep(0.2)
        raise RuntimeError("server did not become ready")

    def worker_pids(self) -> list[int]:
        """The worker processes (children started by multiprocessing's spawn)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """User + system CPU of the supervisor and its live workers so far."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / os.sysconf("SC_CLK_TCK")

    def billed_metric(self) -> float | None:
        """``idcard_billed_calls_total`` summed over every worker, as ``GET /metrics`` reports it."""
        try:
            body = httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=10).text
        except httpx.HTTPError:
            return None
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == "idcard_billed_calls_total":
                    return float(sample.value)
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

"""Load test of the scaled-out service: several workers, one PostgreSQL, one Redis, exact books.

For each worker count (default 1, 2 and 4) this starts ``uvicorn --factory
bench.load_app:create_app --workers N`` on loopback — the real app with a recogniser stub that
sleeps 200 ms without CPU (see ``bench/load_app.py``) — on a fresh PostgreSQL schema and a fresh
Redis key prefix (db 14). It creates accounts of four kinds (no limits; a small balance; a daily
quota; a per-second rate), fires signed requests from many concurrent httpx clients, stops the
server, and audits the books against every answer (``bench/load_audit.py``: ledger, balances,
holds, calls, limits). The fleet and its scratch schema are in ``bench/load_fleet.py``.

A last run (``--kill-workers``, default 2) SIGKILLs one worker mid-load: requests it held are
cut off; the audit then also shows that the only charges no client saw belong to those cut
requests, that the only holds left open belong to them too and are reclaimed once they expire,
and that uvicorn started a replacement worker.

Bounded: ``--requests`` per run and ``--time-limit`` seconds per run; it stops by itself.
Figures are for the service around the recogniser, on a machine shared with the load generator.

    .venv/bin/python bench/load.py                      # 1, 2, 4 workers + the kill run
    .venv/bin/python bench/load.py --workers 2 --requests 500 --no-kill
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so that ``bench.load_app`` imports as uvicorn will import it

from bench.load_audit import Answer, Plan, audit, settle_holds  # noqa: E402
from bench.load_fleet import Fleet, drop_redis_prefix, free_port, open_sockets  # noqa: E402
from idcard_ocr.contract.sign import sign_of  # noqa: E402
from idcard_ocr.observability import prepare_multiprocess_dir  # noqa: E402
from idcard_ocr.settings import Settings  # noqa: E402
from idcard_ocr.storage import open_store  # noqa: E402
from idcard_ocr.storage.scratch import scratch_schema  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SECRET_KEY = "load-test-server-key-0123456789abcdefghij"
UNLIMITED_BALANCE = 1_000_000
ENDPOINT = "/ocr/idcard-v1"


@dataclass
class RunResult:
    workers: int
    answers: list[Answer]
    wall_s: float
    server_cpu_s: float = float("nan")  # CPU used by the server processes during the load
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- load ----------------------------------------------------------------------------------------


def create_accounts(settings: Settings, count: int, small: int, qps: int) -> list[Plan]:
    """Half unlimited, a quarter with ``small`` balance, the rest split between quota and rate."""
    store = open_store(settings)  # migrates the fresh schema, as the deploy's Job does
    kinds = ["plain", "balance", "plain", "quota", "plain", "balance", "plain", "rate"]
    plans = []
    try:
        for i in range(count):
            kind = kinds[i % len(kinds)]
            balance = small if kind == "balance" else UNLIMITED_BALANCE
            account, secret = store.create_account(
                name=f"load-{kind}-{i}",
                balance=balance,
                daily_quota=small if kind == "quota" else None,
                qps=qps if kind == "rate" else None,
            )
            limit = {"balance": small, "quota": small, "rate": qps}.get(kind)
            plans.append(Plan(kind, account.app_id, secret, balance, limit))
    finally:
        store.close()
    return plans


def sample_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (205, 190, 170)).save(out, "JPEG", quality=80)
    return out.getvalue()


def signed_fields(plan: Plan) -> dict[str, str]:
    timestamp = str(time.time_ns() // 1_000_000)
    sign = sign_of(plan.app_id, plan.secret, timestamp)
    return {"appId": plan.app_id, "timestamp": timestamp, "sign": sign}


async def fire(
    base_url: str,
    plans: list[Plan],
    total: int,
    concurrency: int,
    time_limit_s: float,
    kill: Fleet | None = None,
) -> tuple[list[Answer], float, list[str]]:
    """Send up to ``total`` requests from ``concurrency`` clients; optionally SIGKILL a worker."""
    rng = random.Random(20261128)
    jobs = [plans[i % len(plans)] for i in range(total)]
    rng.shuffle(jobs)
    photo = sample_jpeg()
    answers: list[Answer] = []
    notes: list[str] = []
    queue = iter(jobs)
    started = time.monotonic()
    deadline = started + time_limit_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for plan in queue:
            if time.monotonic() >= deadline:
                return
            answer = Answer(plan.app_id, time.monotonic(), 0.0)
            try:
                response = await client.post(
                    ENDPOINT, data=signed_fields(plan), files={"file": ("c.jpg", photo)}
                )
                body = response.json()
                answer.code, answer.charge = int(body["code"]), bool(body.get("charge"))
                answer.task_no, answer.has_data = body.get("taskNo"), "data" in body
            except (httpx.TransportError, ValueError):
                pass  # cut off: the worker died under it
            answer.done_at = time.monotonic()
            answers.append(answer)

    async def killer() -> None:
        assert kill is not None
        while len(answers) < total * 0.4 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # The kernel may hand most connections to one worker; kill the one holding the most.
        victims = sorted(kill.worker_pids(), key=open_sockets, reverse=True)
        if victims:
            held = open_sockets(victims[0])
            os.kill(victims[0], signal.SIGKILL)
            notes.append(
                f"SIGKILL worker pid {victims[0]} ({held} sockets open) after {len(answers)} answers"
            )
        await asyncio.sleep(3.0)  # uvicorn's supervisor checks its workers about every 0.5 s
        notes.append(f"workers alive 3 s later: {len(kill.worker_pids())} of {kill.workers}")

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:
        tasks = [asyncio.create_task(client_loop(client)) for _ in range(concurrency)]
        if kill is not None:
            tasks.append(asyncio.create_task(killer()))
        await asyncio.gather(*tasks)
    return answers, time.monotonic() - started, notes


# --- driver --------------------------------------------------------------------------------------


async def run_once(args: argparse.Namespace, workers: int, kill: bool) -> RunResult:
    with scratch_schema(args.pg_url, "idc_load_") as database_url:
        prefix = f"idcard-load:{secrets.token_hex(4)}:"
        settings = Settings(database_url=database_url, secret_key=SECRET_KEY, redis_url=args.redis_url)
        plans = create_accounts(settings, args.accounts, args.small, args.qps)
        env = dict(
            os.environ,
            IDCARD_DATABASE_URL=database_url,
            IDCARD_SECRET_KEY=SECRET_KEY,
            IDCARD_REDIS_URL=args.redis_url,
            IDCARD_RECOGNIZER_POOL=str(args.pool),
            IDCARD_BENCH_RECOGNIZE_MS=str(args.recognize_ms),
            IDCARD_BENCH_REDIS_PREFIX=prefix,
        )
        # Counters of every worker merge in one folder, as ``idcard-ocr serve --workers N`` sets up.
        metrics_dir = prepare_multiprocess_dir(Path(tempfile.mkdtemp(prefix="idcard-load-metrics-")))
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        port = free_port()
        fleet = Fleet(workers, env, port)
        billed_metric, server_cpu_s = None, float("nan")
        try:
            await fleet.wait_ready()
            cpu_before = fleet.cpu_seconds()
            answers, wall_s, notes = await fire(
                f"http://127.0.0.1:{port}", plans, args.requests, args.concurrency, args.time_limit,
                kill=fleet if kill else None,
            )  # fmt: skip
            server_cpu_s = fleet.cpu_seconds() - cpu_before  # a killed worker's share is lost
            billed_metric = fleet.billed_metric()
        finally:
            fleet.stop()
            drop_redis_prefix(args.redis_url, prefix)
        result = RunResult(workers, answers, wall_s, server_cpu_s, notes=notes)
        result.problems = settle_holds(settings, answers, result.notes)
        result.problems += audit(database_url, plans, answers, billed_metric, result.notes)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        return result


def summary_line(result: RunResult, label: str) -> str:
    answered = [a for a in result.answers if a.code is not None]
    latencies = sorted((a.done_at - a.sent_at) * 1000 for a in answered)
    ok = sorted((a.done_at - a.sent_at) * 1000 for a in answered if a.code == 200)
    p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1] if len(xs) >= 2 else float("nan")  # noqa: E731
    tally = Counter("cut" if a.code is None else str(a.code) for a in result.answers)
    codes = " ".join(f"{c}:{n}" for c, n in sorted(tally.items()))
    return (f"| {label} | {len(result.answers)} | {len(answered) / result.wall_s:.1f} | "
            f"{sum(1 for a in answered if a.code == 200) / result.wall_s:.1f} | "
            f"{p(latencies, 50):.0f} / {p(latencies, 99):.0f} | {p(ok, 50):.0f} / {p(ok, 99):.0f} | "
            f"{result.server_cpu_s * 1000 / max(1, len(answered)):.1f} | "
            f"{codes} | {'exact' if not result.problems else 'PROBLEMS'} |")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--requests", type=int, default=1500, help="requests per run")
    parser.add_argument("--concurrency", type=int, default=48, help="clients sending at once")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run at most")
    parser.add_argument("--accounts", type=int, default=16)
    parser.add_argument("--small", type=int, default=25, help="the small balance and the daily quota")
    parser.add_argument("--qps", type=int, default=3, help="per-second rate of rate-limited accounts")
    parser.add_argument("--pool", type=int, default=16, help="stub recognitions at once per worker")
    parser.add_argument("--recognize-ms", type=int, default=200, help="stub recognition time")
    parser.add_argument("--kill-workers", type=int, default=2, help="workers in the SIGKILL run")
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL run")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()

    runs = [(int(w), False) for w in args.workers.split(",") if w.strip()]
    if not args.no_kill:
        runs.append((args.kill_workers, True))
    print(f"stub recognition {args.recognize_ms} ms (sleep, no CPU), pool {args.pool}/worker, "
          f"{args.requests} requests/run, {args.concurrency} clients, {args.accounts} accounts, "
          f"{os.cpu_count()} CPUs shared with the load generator")  # fmt: skip
    print("| run | requests | answers/s | billed/s | all ms p50 / p99 | 200 ms p50 / p99 "
          "| server CPU ms/answer | codes | books |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for workers, kill in runs:
        result = asyncio.run(run_once(args, workers, kill))
        label = f"{workers} worker{'s' if workers > 1 else ''}" + (" + SIGKILL" if kill else "")
        print(summary_line(result, label), flush=True)
        for line in result.notes + [f"PROBLEM: {p}" for p in result.problems]:
            print(f"  {line}", flush=True)
        failed = failed or bool(result.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

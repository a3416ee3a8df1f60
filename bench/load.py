"""Load test of the scaled-out service: several workers, one PostgreSQL, one Redis, exact books.

For each worker count (default 1, 2 and 4) this starts ``uvicorn --factory
bench.load_app:create_app --workers N`` on loopback — the real app with a recogniser stub that
sleeps 200 ms without CPU (see ``bench/load_app.py``) — on a fresh PostgreSQL schema and a fresh
Redis key prefix (db 14). It creates accounts of four kinds (no limits; a small balance; a daily
quota; a per-second rate), fires signed requests from many concurrent httpx clients, stops the
server, and audits the books against every answer:

- every answer with ``charge: true`` has exactly one ledger row, and no ledger row belongs to an
  answer other than a charged 200 (no double charge, no billed refusal);
- each balance fell by exactly its ledger rows and never below zero (no overdraft);
- small balances and quotas are used exactly to the limit, rates stay within one request of
  theirs (``qps`` per second over the run);
- every answer's taskNo is unique and recorded in ``calls`` with the code the client got.

A last run (``--kill-workers``, default 2) SIGKILLs one worker mid-load: requests it held are
cut off; the audit then also shows that the only charges no client saw belong to those cut
requests, and that uvicorn started a replacement worker.

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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so that ``bench.load_app`` imports as uvicorn will import it

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
ALLOWED_CODES = {"plain": {200}, "balance": {200, 603}, "quota": {200, 606}, "rate": {200, 609}}


@dataclass(frozen=True)
class Plan:
    """One account of the run and the limit it is meant to hit."""

    kind: str  # plain | balance | quota | rate
    app_id: str
    secret: str
    balance: int
    limit: int | None = None  # the balance, quota or qps under test


@dataclass
class Answer:
    """One request as the client saw it."""

    app_id: str
    sent_at: float
    done_at: float
    code: int | None = None  # None: cut off (no answer)
    charge: bool = False
    task_no: str | None = None
    has_data: bool = False


@dataclass
class RunResult:
    workers: int
    answers: list[Answer]
    wall_s: float
    server_cpu_s: float = float("nan")  # CPU used by the server processes during the load
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- environment -------------------------------------------------------------------------------


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


# --- load ----------------------------------------------------------------------------------------


def open_sockets(pid: int) -> int:
    """How many sockets a process holds (listening, clients, database, Redis)."""
    try:
        return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))
    except OSError:
        return 0


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


# --- audit ---------------------------------------------------------------------------------------


def audit(
    database_url: str,
    plans: list[Plan],
    answers: list[Answer],
    billed_metric: float | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """Every way the books and the answers could disagree; empty when they agree exactly."""
    problems: list[str] = []
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ledger = {row[0]: row[1] for row in conn.execute(text("SELECT task_no, app_id FROM ledger"))}
        calls = {row[0]: int(row[1]) for row in conn.execute(text("SELECT task_no, code FROM calls"))}
        balances = {row[0]: int(row[1]) for row in conn.execute(text("SELECT app_id, balance FROM accounts"))}
    engine.dispose()

    answered = [a for a in answers if a.code is not None]
    cut = [a for a in answers if a.code is None]
    task_nos = [a.task_no for a in answered]
    if len(set(task_nos)) != len(task_nos) or None in task_nos:
        problems.append("taskNo missing or repeated across answers")
    by_task = {a.task_no: a for a in answered}
    charged = {a.task_no for a in answered if a.charge}
    if missing := charged - ledger.keys():
        problems.append(f"{len(missing)} answers said charge=true with no ledger row")
    wrongly = [t for t in ledger if t in by_task and not (by_task[t].code == 200 and by_task[t].charge)]
    if wrongly:
        problems.append(f"{len(wrongly)} ledger rows belong to answers that were not a charged 200")
    unseen = [t for t in ledger if t not in by_task]
    if cut and notes is not None:
        notes.append(
            f"{len(cut)} requests cut off; {len(unseen)} of them were charged (committed before the kill)"
        )
    if len(unseen) > len(cut):
        problems.append(f"{len(unseen)} charges no client saw, but only {len(cut)} requests were cut off")
    if mismatched := [a.task_no for a in answered if a.task_no and calls.get(a.task_no) != a.code]:
        problems.append(f"{len(mismatched)} answers not recorded in calls with the code sent")
    if billed_metric is None or not len(ledger) - len(cut) <= billed_metric <= len(ledger):
        problems.append(f"/metrics reports {billed_metric} billed calls, the ledger has {len(ledger)}")
    if bad := [a for a in answered if a.code == 200 and not (a.charge and a.has_data)]:
        problems.append(f"{len(bad)} 200 answers without charge or data")

    span = max((a.done_at for a in answers), default=0) - min((a.sent_at for a in answers), default=0)
    for plan in plans:
        mine = [a for a in answered if a.app_id == plan.app_id]
        mine_cut = sum(1 for a in cut if a.app_id == plan.app_id)
        billed = sum(1 for app in ledger.values() if app == plan.app_id)
        final = balances[plan.app_id]
        label = f"{plan.kind} account {plan.app_id[:6]}…"
        if final < 0 or plan.balance - final != billed:
            problems.append(f"{label}: balance {plan.balance}→{final} but {billed} ledger rows")
        if odd := {a.code for a in mine} - ALLOWED_CODES[plan.kind]:
            problems.append(f"{label}: unexpected codes {sorted(c for c in odd if c is not None)}")
        admitted = sum(1 for a in mine if a.code == 200)
        if plan.kind in ("balance", "quota") and plan.limit is not None:
            enough = len(mine) + mine_cut > plan.limit
            if billed > plan.limit or (enough and billed < plan.limit - mine_cut):
                problems.append(f"{label}: {billed} billed against a limit of {plan.limit}")
        if plan.kind == "rate" and plan.limit is not None:
            ceiling = plan.limit * (int(span) + 1) + 1
            if admitted > ceiling:
                problems.append(f"{label}: {admitted} admitted in {span:.1f} s at {plan.limit}/s")
    return problems


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
            _drop_redis_prefix(args.redis_url, prefix)
        result = RunResult(workers, answers, wall_s, server_cpu_s, notes=notes)
        result.problems = audit(database_url, plans, answers, billed_metric, result.notes)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        return result


def _drop_redis_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


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

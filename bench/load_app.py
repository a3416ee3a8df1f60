"""The real HTTP app for load tests, with a stub recogniser in place of the OCR engine.

Everything a request touches is the production code: settings from ``IDCARD_*`` variables,
the SQL store (PostgreSQL in the load test), Redis-shared rate limiter and replay guard, the
contract's checks, taskNo allocation and atomic billing. Only recognition is replaced, by a stub
that *sleeps* ``IDCARD_BENCH_RECOGNIZE_MS`` (default 200, about one real recognition on one
core) without using the CPU and returns the contract's fixed front-card sample. So load-test
figures measure the service around the recogniser — accounts, limits, ledger, workers — not OCR
speed; ``bench/speed.py`` measures that.

Run by ``bench/load.py`` as ``uvicorn --factory bench.load_app:create_app --workers N``.
Extra variables: ``IDCARD_BENCH_REDIS_PREFIX`` puts this run's Redis keys (rate, replay, quota
counters, shared switches) under a fresh prefix so runs never see each other's counts.
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import date

import redis
from fastapi import FastAPI

from idcard_ocr.api.app import build_parts
from idcard_ocr.api.app import create_app as create_service_app
from idcard_ocr.contract import sample
from idcard_ocr.limits import RedisRateLimiter, RedisReplayGuard
from idcard_ocr.limits.quota import RedisQuotaCounter
from idcard_ocr.limits.switch_cache import RedisSwitchCache
from idcard_ocr.pipeline.types import Recognition
from idcard_ocr.settings import Settings
from idcard_ocr.storage import open_store


class SleepingRecognizer:
    """Stands in for the OCR engine: waits ``delay_s`` without CPU, then returns the front sample."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        """The fixed front-card recognition, after the configured delay."""
        time.sleep(self.delay_s)
        return Recognition(
            text_found=True,
            side="front",
            info=dict(sample.FRONT_INFO),
            validity=dict(sample.FRONT_VALIDITY),
        )


def create_app() -> FastAPI:
    """The service on the configured store, with the sleeping stub (uvicorn ``--factory``)."""
    settings = Settings()
    store = open_store(settings, migrate=False)  # the load driver migrated it, as a deploy's Job does
    recognizer = SleepingRecognizer(float(os.environ.get("IDCARD_BENCH_RECOGNIZE_MS", "200")) / 1000)
    parts = build_parts(settings, store)
    prefix = os.environ.get("IDCARD_BENCH_REDIS_PREFIX")
    if settings.redis_url and prefix:
        client = redis.Redis.from_url(settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
        parts = dataclasses.replace(
            parts,
            rate_limiter=RedisRateLimiter(client, prefix + "rate:"),
            replay_guard=RedisReplayGuard(client, prefix + "replay:"),
            quota_counter=RedisQuotaCounter(client, prefix + "quota:"),
            switches=RedisSwitchCache(
                store.get_switches, client, settings.switch_refresh_s, key=prefix + "switches"
            ),
        )
    return create_service_app(settings, store, recognizer, parts=parts, on_shutdown=store.close)

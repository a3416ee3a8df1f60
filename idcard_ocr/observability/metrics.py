"""Prometheus metrics for the HTTP service, correct with one worker process or many.

Four series, named for what an operator watches:

- ``idcard_requests_total{code}``: answers by the contract's ``code`` (200, 301, 400, 603 ...);
- ``idcard_recognition_seconds``: time spent inside the recogniser per photo (histogram,
  buckets from 50 ms to 10 s, the range between a small photo on a fast core and the deadline);
- ``idcard_recognizer_queue_depth``: recognitions waiting for or holding a recogniser thread,
  summed over live worker processes;
- ``idcard_billed_calls_total``: answers that charged the caller.

With several uvicorn workers each process keeps its own counts, so a scrape that lands on one
worker would see a fraction. prometheus-client's multiprocess mode fixes that: every process
writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` and :func:`metrics_response` merges
them. The variable must be set *before* any worker imports prometheus_client, so the serve command
calls :func:`prepare_multiprocess_dir` in the parent before it starts workers; the workers inherit
it. Without the variable, metrics live in the process's default registry.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

if TYPE_CHECKING:  # the pipeline package loads the OCR engine; metrics must stay light to import
    from idcard_ocr.pipeline.multi import PageRecognition
    from idcard_ocr.pipeline.types import Recognition, Recognizer, Side

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RECOGNITION_BUCKETS_S: tuple[float, ...] = (
    0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0,
)  # fmt: skip
# Live-gauge files are named gauge_<mode>_<pid>.db; a worker killed without clean-up leaves one.
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w*_(\d+)\.db$")


class ServiceMetrics:
    """The service's metrics, registered once in ``registry`` (the default one in production)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.requests = Counter(
            "idcard_requests", "Answers of POST /ocr/idcard-v1 by contract code.", ["code"], registry=registry
        )
        self.recognition_seconds = Histogram(
            "idcard_recognition_seconds",
            "Time spent recognising one photo, in seconds.",
            buckets=RECOGNITION_BUCKETS_S,
            registry=registry,
        )
        self.queue_depth = Gauge(
            "idcard_recognizer_queue_depth",
            "Recognitions waiting for or running on a recogniser thread.",
            multiprocess_mode="livesum",  # only live workers count, summed over them
            registry=registry,
        )
        self.billed = Counter("idcard_billed_calls", "Answers that charged the caller.", registry=registry)

    def count_answer(self, code: int, *, charged: bool) -> None:
        """Count one answer of the endpoint (call once per request, with the envelope's values)."""
        self.requests.labels(code=str(code)).inc()
        if charged:
            self.billed.inc()

    @contextmanager
    def queued_recognition(self) -> Iterator[None]:
        """Hold the queue-depth gauge up while a recognition waits or runs."""
        self.queue_depth.inc()
        try:
            yield
        finally:
            self.queue_depth.dec()

    def observe_recognition(self, seconds: float) -> None:
        """Record one recognition's duration."""
        self.recognition_seconds.observe(seconds)


@lru_cache(maxsize=1)
def service_metrics() -> ServiceMetrics:
    """The process-wide metrics in the default registry (created on first use, once)."""
    return ServiceMetrics()


class TimedRecognizer:
    """A :class:`Recognizer` that records how long each call of the wrapped one takes."""

    def __init__(self, inner: Recognizer, metrics: ServiceMetrics | None = None) -> None:
        self._inner = inner
        self._metrics = metrics or service_metrics()

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        """Recognise with the wrapped recogniser, timing it (failures are timed too)."""
        started = time.perf_counter()
        try:
            return self._inner.recognize(image, today)
        finally:
            self._metrics.observe_recognition(time.perf_counter() - started)

    def read_page(
        self, image: bytes, prefer: Side | None = None, all_cards: bool = False, today: date | None = None
    ) -> PageRecognition:
        """Read the cards of a photo (:func:`idcard_ocr.pipeline.multi.read_page`), timed as one
        recognition."""
        from idcard_ocr.pipeline.multi import read_page

        started = time.perf_counter()
        try:
            return read_page(self._inner, image, prefer, all_cards, today=today)
        finally:
            self._metrics.observe_recognition(time.perf_counter() - started)


def prepare_multiprocess_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Create (or empty) the shared metrics folder and export ``PROMETHEUS_MULTIPROC_DIR``.

    Call in the parent process before starting workers. ``path`` defaults to the variable's
    current value, else a new temporary folder. Files left by an earlier run are removed, as
    prometheus-client requires, so counters start from zero with the server.
    """
    chosen = path or os.environ.get(MULTIPROC_ENV)
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="idcard-ocr-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def mark_worker_dead(pid: int) -> None:
    """Drop a finished worker's live gauges (its counters stay in the totals, as they should)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def _forget_dead_workers(folder: Path) -> None:
    # uvicorn restarts a crashed worker without telling us; its queue gauge must not linger.
    for entry in folder.glob("gauge_live*_*.db"):
        match = _LIVE_GAUGE_FILE.match(entry.name)
        if match and not _pid_alive(int(match.group(1))):
            entry.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def metrics_response() -> tuple[bytes, str]:
    """The exposition for ``GET /metrics``: (body, content type), merged over workers if several."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    _forget_dead_workers(Path(folder))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return generate_latest(registry), CONTENT_TYPE_LATEST

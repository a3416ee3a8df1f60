"""The service's Prometheus metrics: counters move, the exposition parses, workers add up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from idcard_ocr.observability import metrics as metrics_module
from idcard_ocr.observability.metrics import (
    MULTIPROC_ENV,
    ServiceMetrics,
    TimedRecognizer,
    metrics_response,
    prepare_multiprocess_dir,
)
from idcard_ocr.pipeline.types import Recognition


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> ServiceMetrics:
    return ServiceMetrics(registry)


def test_answers_are_counted_by_code_and_only_charged_ones_as_billed(
    metrics: ServiceMetrics, registry: CollectorRegistry
) -> None:
    metrics.count_answer(200, charged=True)
    metrics.count_answer(200, charged=True)
    metrics.count_answer(200, charged=False)  # result 1: answered, not billed
    metrics.count_answer(603, charged=False)

    assert registry.get_sample_value("idcard_requests_total", {"code": "200"}) == 3
    assert registry.get_sample_value("idcard_requests_total", {"code": "603"}) == 1
    assert registry.get_sample_value("idcard_requests_total", {"code": "400"}) is None
    assert registry.get_sample_value("idcard_billed_calls_total") == 2


def test_recognition_latency_lands_in_the_right_bucket(
    metrics: ServiceMetrics, registry: CollectorRegistry
) -> None:
    metrics.observe_recognition(0.18)
    metrics.observe_recognition(2.5)

    def bucket(le: str) -> float | None:
        return registry.get_sample_value("idcard_recognition_seconds_bucket", {"le": le})

    assert bucket("0.15") == 0
    assert bucket("0.2") == 1
    assert bucket("3.0") == 2
    assert bucket("+Inf") == 2
    assert registry.get_sample_value("idcard_recognition_seconds_sum") == pytest.approx(2.68)


def test_buckets_span_50_ms_to_the_10_s_deadline() -> None:
    buckets = metrics_module.RECOGNITION_BUCKETS_S
    assert buckets[0] == 0.05 and buckets[-1] == 10.0
    assert list(buckets) == sorted(set(buckets))


def test_queue_depth_rises_while_waiting_and_falls_even_on_failure(
    metrics: ServiceMetrics, registry: CollectorRegistry
) -> None:
    def depth() -> float | None:
        return registry.get_sample_value("idcard_recognizer_queue_depth")

    with metrics.queued_recognition():
        with metrics.queued_recognition():
            assert depth() == 2
        assert depth() == 1
    with pytest.raises(RuntimeError), metrics.queued_recognition():
        raise RuntimeError("engine failed")
    assert depth() == 0


class _FixedRecognizer:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def recognize(self, image: bytes, today: date | None = None) -> Recognition:
        if self.fail:
            raise ValueError("bad photo")
        return Recognition(text_found=True, side="back")


def test_timed_recognizer_passes_results_through_and_times_failures_too(
    metrics: ServiceMetrics, registry: CollectorRegistry
) -> None:
    assert TimedRecognizer(_FixedRecognizer(), metrics).recognize(b"x").side == "back"
    with pytest.raises(ValueError):
        TimedRecognizer(_FixedRecognizer(fail=True), metrics).recognize(b"x")
    assert registry.get_sample_value("idcard_recognition_seconds_count") == 2


def test_single_process_exposition_parses_and_has_every_series(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    metrics_module.service_metrics().count_answer(606, charged=False)

    body, content_type = metrics_response()

    assert content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    for name in (
        "idcard_requests",
        "idcard_recognition_seconds",
        "idcard_recognizer_queue_depth",
        "idcard_billed_calls",
    ):
        assert name in families, name
    codes = {
        s.labels.get("code"): s.value
        for s in families["idcard_requests"].samples
        if s.name == "idcard_requests_total"
    }
    assert codes["606"] >= 1


def test_prepare_multiprocess_dir_empties_old_files_and_exports_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"stale")

    assert prepare_multiprocess_dir(folder) == folder
    assert os.environ[MULTIPROC_ENV] == str(folder)
    assert list(folder.iterdir()) == []


# Each worker is a fresh interpreter, as uvicorn's are: the variable is set before the import.
_WORKER = textwrap.dedent(
    """
    import sys
    from idcard_ocr.observability.metrics import service_metrics
    m = service_metrics()
    for _ in range(int(sys.argv[1])):
        m.count_answer(200, charged=True)
    m.count_answer(609, charged=False)
    m.observe_recognition(0.25)
    if sys.argv[2] == "die-in-queue":
        m.queue_depth.inc()  # killed while a recognition waits: never decremented
    """
)
_SCRAPE = (
    "from idcard_ocr.observability.metrics import metrics_response; print(metrics_response()[0].decode())"
)


def _run(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_several_worker_processes_add_up_in_one_scrape(tmp_path: Path) -> None:
    env = dict(os.environ, **{MULTIPROC_ENV: str(tmp_path)})
    _run(_WORKER, "3", "clean", env=env)
    _run(_WORKER, "4", "die-in-queue", env=env)

    scraped = _run(_SCRAPE, env=env)

    samples = {
        (s.name, s.labels.get("code")): s.value
        for f in text_string_to_metric_families(scraped)
        for s in f.samples
    }
    assert samples[("idcard_requests_total", "200")] == 7
    assert samples[("idcard_requests_total", "609")] == 2
    assert samples[("idcard_billed_calls_total", None)] == 7
    assert samples[("idcard_recognition_seconds_count", None)] == 2
    # The second worker has exited; its stuck queue entry is not reported as live work.
    assert samples.get(("idcard_recognizer_queue_depth", None), 0) == 0

"""Operational visibility: Prometheus metrics for one worker process or many."""

from idcard_ocr.observability.metrics import (
    ServiceMetrics,
    TimedRecognizer,
    mark_worker_dead,
    metrics_response,
    prepare_multiprocess_dir,
    service_metrics,
)

__all__ = [
    "ServiceMetrics",
    "TimedRecognizer",
    "mark_worker_dead",
    "metrics_response",
    "prepare_multiprocess_dir",
    "service_metrics",
]

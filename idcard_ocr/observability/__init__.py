"""Operational visibility: Prometheus metrics for one worker process or many, and readiness."""

from idcard_ocr.observability.metrics import (
    ServiceMetrics,
    TimedRecognizer,
    mark_worker_dead,
    metrics_response,
    prepare_multiprocess_dir,
    service_metrics,
)
from idcard_ocr.observability.readiness import ReadinessReport, check_readiness

__all__ = [
    "ReadinessReport",
    "ServiceMetrics",
    "TimedRecognizer",
    "check_readiness",
    "mark_worker_dead",
    "metrics_response",
    "prepare_multiprocess_dir",
    "service_metrics",
]

"""Readiness for ``GET /readyz``: may this worker take traffic now?

Liveness (``/healthz``) only says the process answers. Readiness also asks the dependencies a
request needs: the store (every call is authenticated and recorded there) must answer, or the
load balancer should send traffic elsewhere. Redis is reported but never makes a worker unready:
rate limits, quota hints and shared switches all fall back without it, and since every worker
shares one Redis, failing readiness on it would take the whole fleet out at once.

Wiring, in the app (the checks block, so run them off the event loop)::

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        report = await run_in_threadpool(check_readiness, store, redis_ping)
        return JSONResponse(report.body(), status_code=report.status_code)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from idcard_ocr.storage.base import Store

log = logging.getLogger("idcard_ocr.observability")


@dataclass(frozen=True)
class ReadinessReport:
    """The verdict and one word per dependency (``ok``, ``down``, ``degraded``, ``off``)."""

    ready: bool
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def status_code(self) -> int:
        """200 when ready, else 503 (what load balancers and Kubernetes probes understand)."""
        return 200 if self.ready else 503

    def body(self) -> dict[str, object]:
        """The JSON answer: ``{"status": "ready"|"unready", "checks": {...}}``."""
        return {"status": "ready" if self.ready else "unready", "checks": dict(self.checks)}


def check_readiness(store: Store, redis_ping: Callable[[], object] | None = None) -> ReadinessReport:
    """Ask the store for the switches (one tiny query) and, if configured, ping Redis."""
    checks: dict[str, str] = {}
    try:
        store.get_switches()
        checks["store"] = "ok"
    except Exception as exc:  # any failure means this worker cannot serve a call
        log.warning("readiness: store unavailable (%s)", type(exc).__name__)
        checks["store"] = "down"
    if redis_ping is None:
        checks["redis"] = "off"
    else:
        try:
            redis_ping()
            checks["redis"] = "ok"
        except Exception as exc:
            log.warning("readiness: redis unavailable (%s); limits fall back", type(exc).__name__)
            checks["redis"] = "degraded"
    return ReadinessReport(ready=checks["store"] == "ok", checks=checks)

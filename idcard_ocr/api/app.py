"""The FastAPI application: the contract's endpoint, ``/healthz`` and JSON answers for every miss."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from idcard_ocr.api.cors import ContractCors
from idcard_ocr.api.envelope import MSG_METHOD, ChineseJSONResponse, envelope, not_found_response
from idcard_ocr.api.idcard_endpoint import EndpointParts, IdcardEndpoint
from idcard_ocr.api.openapi_doc import REQUEST_BODY, RESPONSES
from idcard_ocr.api.task_numbers import TaskNumbers
from idcard_ocr.api.url_fetch import UrlFetcher
from idcard_ocr.limits import make_rate_limiter, make_replay_guard
from idcard_ocr.limits.quota import make_quota_counter
from idcard_ocr.limits.redis_backed import connect as connect_redis
from idcard_ocr.limits.switch_cache import make_switch_cache
from idcard_ocr.observability import TimedRecognizer, metrics_response, service_metrics
from idcard_ocr.observability.readiness import check_readiness
from idcard_ocr.pipeline.assess import header_reader_for
from idcard_ocr.pipeline.types import Recognizer
from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import Store

ENDPOINT_PATH = "/ocr/idcard-v1"
log = logging.getLogger("idcard_ocr.api")


def build_parts(settings: Settings, store: Store) -> EndpointParts:
    """The per-process collaborators, each the kind ``settings`` ask for (Redis-shared or local)."""
    return EndpointParts(
        task_numbers=TaskNumbers(store.allocate_node_id()),
        switches=make_switch_cache(store.get_switches, settings.redis_url, settings.switch_refresh_s),
        rate_limiter=make_rate_limiter(settings.redis_url),
        replay_guard=make_replay_guard(settings.redis_url),
        quota_counter=make_quota_counter(settings.redis_url),
        url_fetcher=UrlFetcher(
            allow_hosts=settings.allowed_url_hosts,
            timeout_s=settings.url_timeout_s,
            max_redirects=settings.url_max_redirects,
            max_bytes=settings.max_image_bytes,
        ),
        metrics=service_metrics(),
    )


def create_app(
    settings: Settings,
    store: Store,
    recognizer: Recognizer,
    *,
    parts: EndpointParts | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> FastAPI:
    """The service speaking the contract on ``store`` with ``recognizer``, shared by all requests.

    ``parts`` defaults to :func:`build_parts`; ``on_shutdown`` runs when the server stops.
    """
    parts = parts or build_parts(settings, store)
    timed = TimedRecognizer(recognizer, parts.metrics)
    endpoint = IdcardEndpoint(settings, store, timed, parts, header_reader_for(recognizer))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        endpoint.close()
        if on_shutdown is not None:
            on_shutdown()

    app = FastAPI(
        title="idcard-ocr",
        summary="Reads Chinese resident ID cards; speaks the vendor's POST /ocr/idcard-v1 contract.",
        version="0.1.0",
        docs_url=None,  # the interactive page loads scripts from a CDN; many installs are offline
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.state.endpoint = endpoint
    if settings.cors_origin_list:  # browser pages on other origins (IDCARD_CORS_ORIGINS)
        app.add_middleware(ContractCors, origins=settings.cors_origin_list, path=ENDPOINT_PATH)

    @app.post(
        ENDPOINT_PATH,
        response_class=ChineseJSONResponse,
        response_model=None,
        openapi_extra={"requestBody": REQUEST_BODY},
        responses=RESPONSES,
        summary="Recognise an ID-card photo",
        operation_id="recognizeIdcard",
    )
    async def recognize_idcard(request: Request) -> Response:
        """Recognise the photo in ``file``, ``base64``/``image`` or ``url``.

        Always HTTP 200 with a ``code``: 200 成功, 301 识别失败, 400 参数错误, 500 系统维护,
        601 接口未开通, 602 账号停用, 603 余额不足, 604 接口停用, 606 调用超限,
        607 ip不在白名单, 609 请求过于频繁, 610 请求超时, 999 其他.
        """
        return await endpoint.handle(request)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # The recogniser is loaded before the app exists, so a worker that answers has its models.
    redis_ping = connect_redis(settings.redis_url).ping if settings.redis_url else None

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        report = await run_in_threadpool(check_readiness, store, redis_ping)
        return ChineseJSONResponse(report.body(), status_code=report.status_code)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # Counts and latencies only: no appIds, no card data.
        body, content_type = metrics_response()
        return Response(body, media_type=content_type)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found_response()
        if exc.status_code == 405:
            return ChineseJSONResponse(
                envelope(400, endpoint.next_task_no(), msg=MSG_METHOD),
                status_code=405,
                headers={"Allow": "POST"},
            )
        return ChineseJSONResponse(envelope(400, endpoint.next_task_no()), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # The endpoint catches its own errors; this covers anything around it.
        log.error("unexpected error outside the endpoint: %s", type(exc).__name__)
        return ChineseJSONResponse(envelope(999, endpoint.next_task_no()))

    return app

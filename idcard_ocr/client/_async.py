"""The asyncio client: :class:`Client`'s twin, with ``async`` methods."""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Any

import httpx

from idcard_ocr.client._errors import ApiError, TransportError
from idcard_ocr.client._models import IdCardResult
from idcard_ocr.client._protocol import (
    FileSource,
    RetryPolicy,
    endpoint_url,
    interpret_response,
    prepare_payload,
    request_arguments,
)
from idcard_ocr.client._sign import signed_fields
from idcard_ocr.client._sync import USER_AGENT

logger = logging.getLogger("idcard_ocr.client")


class AsyncClient:
    """Calls ``POST /ocr/idcard-v1`` without blocking the event loop.

    Same arguments as :class:`Client`; ``transport`` is an ``httpx.AsyncBaseTransport``
    (``httpx.ASGITransport(app)`` runs requests against an ASGI app in-process).

    >>> async with AsyncClient("my-app-id", "my-secret", "http://ocr.internal:8000") as ocr:  # doctest: +SKIP
    ...     card = await ocr.recognize(file="card.jpg")
    """

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not app_id or not app_secret:
            raise ValueError("app_id and app_secret are required")
        self.app_id = app_id
        self._app_secret = app_secret
        self.url = endpoint_url(base_url)
        self.retry_policy = RetryPolicy(retries=retries, backoff=backoff)
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT}
        )

    async def recognize(
        self,
        *,
        file: FileSource | None = None,
        base64: str | None = None,
        url: str | None = None,
        **options: Any,
    ) -> IdCardResult:
        """Read one ID-card photo; see :meth:`Client.recognize`.

        Reading a ``file`` given as a path or file object happens before the first request, on
        the calling thread (ID-card photos are at most 2 MB).
        """
        payload = prepare_payload(file, base64, url, options)
        attempt = 0
        while True:
            request = self._http.build_request(
                "POST", self.url, **request_arguments(payload, signed_fields(self.app_id, self._app_secret))
            )
            try:
                return interpret_response(await self._http.send(request))
            except ApiError as error:
                if not self.retry_policy.retry_error(attempt, error):
                    raise
                reason = f"code {error.code}"
            except httpx.RequestError as error:
                if not self.retry_policy.retry_error(attempt, error):
                    raise TransportError(f"{type(error).__name__}: {error}") from error
                reason = type(error).__name__
            delay = self.retry_policy.delay(attempt)
            logger.debug("idcard-ocr attempt %d failed (%s); retrying in %.2fs", attempt + 1, reason, delay)
            await asyncio.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:  # never shows the secret
        return f"AsyncClient(app_id={self.app_id!r}, url={self.url!r})"

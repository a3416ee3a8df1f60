"""The blocking client."""

from __future__ import annotations

import logging
import time
from types import TracebackType
from typing import Any

import httpx

from idcard_ocr import __version__
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

logger = logging.getLogger("idcard_ocr.client")

USER_AGENT = f"idcard-ocr-python/{__version__}"


class Client:
    """Calls ``POST /ocr/idcard-v1`` on an idcard-ocr server (or any server speaking that API).

    ``transport`` is any ``httpx.BaseTransport`` (``httpx.MockTransport`` in tests, a proxy or
    a custom TLS setup in production). Use it as a context manager, or call :meth:`close`.

    >>> with Client("my-app-id", "my-secret", "http://ocr.internal:8000") as ocr:  # doctest: +SKIP
    ...     card = ocr.recognize(file="card.jpg")
    ...     print(card.front.birth_date)
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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not app_id or not app_secret:
            raise ValueError("app_id and app_secret are required")
        self.app_id = app_id
        self._app_secret = app_secret
        self.url = endpoint_url(base_url)
        self.retry_policy = RetryPolicy(retries=retries, backoff=backoff)
        self._http = httpx.Client(timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT})

    def recognize(
        self,
        *,
        file: FileSource | None = None,
        base64: str | None = None,
        url: str | None = None,
        **options: Any,
    ) -> IdCardResult:
        """Read one ID-card photo, given as exactly one of ``file``, ``base64`` or ``url``.

        ``file`` is the image as bytes, a path, or a binary file object; it is sent as multipart,
        ``base64``/``url`` as a urlencoded form. Extra keyword ``options`` (``detail=1``...) go
        along as form fields. Returns the result even when the card could not be read
        (``result == 1``); raises an :class:`ApiError` subclass for any other code and
        :class:`TransportError` when no usable answer came back. Rate-limit (609) and
        maintenance (500) answers and dropped connections are retried with back-off, each
        attempt freshly signed.
        """
        payload = prepare_payload(file, base64, url, options)
        attempt = 0
        while True:
            request = self._http.build_request(
                "POST", self.url, **request_arguments(payload, signed_fields(self.app_id, self._app_secret))
            )
            try:
                return interpret_response(self._http.send(request))
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
            time.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the secret
        return f"Client(app_id={self.app_id!r}, url={self.url!r})"

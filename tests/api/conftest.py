"""Fixtures for driving the real app in-process over ASGI, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from idcard_ocr.api.app import build_parts, create_app
from idcard_ocr.api.idcard_endpoint import EndpointParts
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore
from tests.api.support import Service, StubRecognizer


@pytest.fixture
def service_factory(
    store: SqlStore, settings_for: Callable[..., Settings], database_url: str
) -> Iterator[Callable[..., Any]]:
    """Build the app on the test's store with settings overrides; closes clients afterwards."""
    made: list[Service] = []

    def build(
        recognizer: StubRecognizer | None = None,
        client_ip: str = "127.0.0.1",
        adjust_parts: Callable[[EndpointParts], EndpointParts] | None = None,
        **overrides: Any,
    ) -> Service:
        settings = settings_for(database_url, **overrides)
        stub = recognizer or StubRecognizer()
        parts = build_parts(settings, store)
        app = create_app(settings, store, stub, parts=adjust_parts(parts) if adjust_parts else parts)
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        made.append(Service(app=app, store=store, recognizer=stub, settings=settings, http=http))
        return made[-1]

    yield build
    for service in made:
        service.app.state.endpoint.close()


@pytest.fixture
async def service(service_factory: Callable[..., Service]) -> AsyncIterator[Service]:
    """The app with default settings and the stub recogniser."""
    built = service_factory()
    yield built
    await built.http.aclose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

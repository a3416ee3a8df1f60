"""The API fixtures (``service``, ``service_factory``) on both backends, for fault injection."""

from tests.api.conftest import anyio_backend, service, service_factory

__all__ = ["anyio_backend", "service", "service_factory"]

"""The SDK's public names are a promise: changing them must be a deliberate act."""

from __future__ import annotations

import inspect

import idcard_ocr.client
from idcard_ocr.client import _errors

EXPECTED_PUBLIC_NAMES = [
    "AccountDisabled",
    "ApiError",
    "AsyncClient",
    "BackInfo",
    "BadRequest",
    "CardResult",
    "Client",
    "EndpointNotFound",
    "FrontInfo",
    "IdCardOcrError",
    "IdCardResult",
    "InsufficientBalance",
    "InvalidResponse",
    "IpNotAllowed",
    "NotSubscribed",
    "QuotaExceeded",
    "RateLimited",
    "RecognitionFailed",
    "RequestTimeout",
    "ServiceUnavailable",
    "TransportError",
    "UnknownApiError",
    "compute_sign",
]


def test_public_names_are_exactly_these() -> None:
    assert idcard_ocr.client.__all__ == EXPECTED_PUBLIC_NAMES
    for name in EXPECTED_PUBLIC_NAMES:
        member = getattr(idcard_ocr.client, name)
        assert member.__module__.startswith("idcard_ocr.client"), name
        assert inspect.getdoc(member), f"{name} has no docstring"


def test_every_exception_is_drawn_in_the_tree_and_under_the_base() -> None:
    tree = _errors.__doc__ or ""
    for name in EXPECTED_PUBLIC_NAMES:
        member = getattr(idcard_ocr.client, name)
        if isinstance(member, type) and issubclass(member, BaseException):
            assert issubclass(member, idcard_ocr.client.IdCardOcrError), name
            assert f"── {name}" in tree or name == "IdCardOcrError", f"{name} missing from the tree"


def test_both_clients_take_the_same_arguments() -> None:
    sync_params = inspect.signature(idcard_ocr.client.Client).parameters
    async_params = inspect.signature(idcard_ocr.client.AsyncClient).parameters
    assert list(sync_params) == list(async_params)
    assert list(sync_params) == [
        "app_id",
        "app_secret",
        "base_url",
        "timeout",
        "retries",
        "backoff",
        "transport",
    ]
    assert [p.default for p in sync_params.values()][3:] == [10.0, 3, 0.5, None]

"""Python SDK for the ``POST /ocr/idcard-v1`` API: :class:`Client` (blocking) and :class:`AsyncClient`.

>>> from idcard_ocr.client import Client, InsufficientBalance
>>> with Client("my-app-id", "my-secret", "http://ocr.internal:8000") as ocr:  # doctest: +SKIP
...     card = ocr.recognize(file="card.jpg")
...     if card.recognized and card.front:
...         print(card.front.birth_date, card.validity["number"])

Errors form one tree under :class:`IdCardOcrError`; see ``idcard_ocr.client._errors``.
"""

from idcard_ocr.client._async import AsyncClient
from idcard_ocr.client._errors import (
    AccountDisabled,
    ApiError,
    BadRequest,
    EndpointNotFound,
    IdCardOcrError,
    InsufficientBalance,
    InvalidResponse,
    IpNotAllowed,
    NotSubscribed,
    QuotaExceeded,
    RateLimited,
    RecognitionFailed,
    RequestTimeout,
    ServiceUnavailable,
    TransportError,
    UnknownApiError,
)
from idcard_ocr.client._models import BackInfo, CardResult, FrontInfo, IdCardResult
from idcard_ocr.client._sign import compute_sign
from idcard_ocr.client._sync import Client

__all__ = [
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

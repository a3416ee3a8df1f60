"""What the SDK raises. Every exception is an :class:`IdCardOcrError`.

The tree::

    IdCardOcrError
    ├── TransportError              no usable answer: network failure, timeout, ...
    │   └── InvalidResponse         ... or a reply that is not the API's JSON object
    └── ApiError(code, msg, task_no)  the service answered with a code other than 200
        ├── RecognitionFailed       301  no text found on the photo
        ├── BadRequest              400  missing/malformed field, wrong sign, bad image
        ├── EndpointNotFound        404  wrong path (check ``base_url``)
        ├── ServiceUnavailable      500  maintenance; 604 product switched off
        ├── NotSubscribed           601
        ├── AccountDisabled         602
        ├── InsufficientBalance     603
        ├── QuotaExceeded           606  daily or total call quota used up
        ├── IpNotAllowed            607
        ├── RateLimited             609  rate exceeded or server busy (retried automatically)
        ├── RequestTimeout          610  timestamp outside the window, or recognition too slow
        └── UnknownApiError         999 and any code this SDK does not know

A card photo the service could not read (``data.result == 1``) is *not* an error: it comes back
as an :class:`~idcard_ocr.client.IdCardResult` with ``recognized`` False.
"""

from __future__ import annotations

from typing import Any


class IdCardOcrError(Exception):
    """Base class of everything the SDK raises on purpose."""


class TransportError(IdCardOcrError):
    """The request got no usable answer: connection failed, timed out, or the reply was not JSON."""


class InvalidResponse(TransportError):
    """The server answered, but not with the API's JSON object (a proxy page, truncated JSON...)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ApiError(IdCardOcrError):
    """The service answered with a business ``code`` other than 200.

    ``task_no`` is the request's number as the service reported it (quote it to the operator);
    it may be empty when the service sent none (for example on a 404).
    """

    def __init__(self, code: int, msg: str, task_no: str = "", *, raw: dict[str, Any] | None = None) -> None:
        super().__init__(code, msg, task_no)
        self.code = code
        self.msg = msg
        self.task_no = task_no
        self.raw: dict[str, Any] = raw if raw is not None else {}

    def __str__(self) -> str:
        suffix = f" (taskNo {self.task_no})" if self.task_no else ""
        return f"{self.code} {self.msg}{suffix}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, msg={self.msg!r}, task_no={self.task_no!r})"


class RecognitionFailed(ApiError):
    """301: no text could be found on the photo, or the engine failed on a valid image."""


class BadRequest(ApiError):
    """400: a field is missing or malformed, the appId or sign is wrong, or the image is refused."""


class EndpointNotFound(ApiError):
    """404: the path does not exist on the server; ``base_url`` is probably wrong."""


class ServiceUnavailable(ApiError):
    """500 (maintenance mode) or 604 (the product is switched off for everyone)."""


class NotSubscribed(ApiError):
    """601: this appId is not subscribed to the ID-card product."""


class AccountDisabled(ApiError):
    """602: the account is disabled."""


class InsufficientBalance(ApiError):
    """603: the balance cannot pay for one call."""


class QuotaExceeded(ApiError):
    """606: the account's daily (or total) call quota is used up."""


class IpNotAllowed(ApiError):
    """607: the account has an IP whitelist and this machine's address is not on it."""


class RateLimited(ApiError):
    """609: the account's per-second rate is exceeded, or the server's recognition line is full."""


class RequestTimeout(ApiError):
    """610: the timestamp is outside the server's window (check the clock), or recognition ran too long."""


class UnknownApiError(ApiError):
    """999, or a code this SDK does not know."""


_ERROR_BY_CODE: dict[int, type[ApiError]] = {
    301: RecognitionFailed,
    400: BadRequest,
    404: EndpointNotFound,
    500: ServiceUnavailable,
    601: NotSubscribed,
    602: AccountDisabled,
    603: InsufficientBalance,
    604: ServiceUnavailable,
    606: QuotaExceeded,
    607: IpNotAllowed,
    609: RateLimited,
    610: RequestTimeout,
}


def error_for_code(code: int, msg: str, task_no: str = "", *, raw: dict[str, Any] | None = None) -> ApiError:
    """The exception that stands for ``code`` (``UnknownApiError`` for 999 and unknown codes)."""
    error_type = _ERROR_BY_CODE.get(code, UnknownApiError)
    return error_type(code, msg, task_no, raw=raw)

"""Who is calling and may they: the checks between the body and the photo, in contract order.

required fields and appId/sign (400) → timestamp (610) → account disabled (602) → IP whitelist
(607) → subscription (601) → rate, then room in this worker's recognition line (609) → quota
(606) → balance (603), the last two settled by placing a hold on the call's price.

Nothing about an account is revealed before its sign checks out: an unknown appId and a wrong
sign get the same 400 message, after the same work.

The client IP is the socket peer. ``X-Forwarded-For`` is NOT trusted here; behind a reverse
proxy, start the server with ``idcard-ocr serve --forwarded-allow-ips <proxy address>`` so
uvicorn replaces the peer with the proxy's forwarded address for those proxies only.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from idcard_ocr.api.envelope import (
    MSG_BAD_CREDENTIALS,
    MSG_TIMESTAMP_SECONDS,
    ApiError,
    malformed_field,
    missing_field,
)
from idcard_ocr.api.recognition_line import RecognitionLine
from idcard_ocr.api.request_form import RequestForm
from idcard_ocr.contract.sign import sign_of
from idcard_ocr.limits import LimitsBackendError, RateLimiter, ReplayGuard
from idcard_ocr.limits.quota import QuotaCounter, quota_used_up
from idcard_ocr.storage.base import Account, HoldOutcome, Store

log = logging.getLogger("idcard_ocr.api")

REQUIRED_FIELDS: tuple[str, ...] = ("appId", "timestamp", "sign")
SECONDS_DIGITS = 10  # seconds since the epoch, 2001-09-09 to 2286-11-20
# A secret for unknown appIds, so that they cost the same hashing as known ones.
_ABSENT_SECRET = "0" * 32


@dataclass(frozen=True)
class Credentials:
    """The three signing fields as sent."""

    app_id: str
    timestamp: str
    sign: str


def read_credentials(form: RequestForm) -> Credentials:
    """The signing fields; 400 naming the first one missing or malformed."""
    values: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        value = (form.text(name) or "").strip()
        if not value:
            raise ApiError(400, missing_field(name))
        values[name] = value
    if (
        not values["timestamp"].isascii()
        or not values["timestamp"].isdigit()
        or len(values["timestamp"]) > 19
    ):
        raise ApiError(400, malformed_field("timestamp"))
    return Credentials(values["appId"], values["timestamp"], values["sign"])


def authenticate(store: Store, credentials: Credentials) -> Account:
    """The account whose secret signs these credentials; 400 for unknown appId or wrong sign alike."""
    secret = store.get_secret(credentials.app_id)
    expected = sign_of(
        credentials.app_id, secret if secret is not None else _ABSENT_SECRET, credentials.timestamp
    )
    matches = hmac.compare_digest(expected.encode(), credentials.sign.lower().encode("utf-8"))
    if secret is None or not matches:
        raise ApiError(400, MSG_BAD_CREDENTIALS)
    account = store.get_account(credentials.app_id)
    if account is None:  # deleted between the two reads
        raise ApiError(400, MSG_BAD_CREDENTIALS)
    return account


@dataclass(frozen=True)
class AdmissionRules:
    """What ``admit`` needs besides the account: the server's side of each check."""

    timestamp_window_s: int
    price: int
    rate_limiter: RateLimiter
    replay_guard: ReplayGuard
    quota_counter: QuotaCounter  # spares the ledger query when Redis keeps today's count
    line: RecognitionLine
    hold_ttl_s: float  # how long an unsettled hold lasts: longer than any live call takes


_HOLD_REFUSED = {HoldOutcome.QUOTA_EXCEEDED: 606, HoldOutcome.INSUFFICIENT_BALANCE: 603}


def admit(
    store: Store,
    account: Account,
    credentials: Credentials,
    client_ip: str | None,
    rules: AdmissionRules,
    *,
    now_ms: int,
    task_no: str,
) -> bool:
    """Checks 610 → 602 → 607 → 601 → 609 → 606 → 603 for an authenticated account.

    An admitted call has joined ``rules.line`` (the caller must make it leave) and, when calls
    cost anything, holds its price under ``task_no``; returns whether a hold was placed. A
    refusal after joining leaves the line before raising.
    """
    if abs(now_ms - int(credentials.timestamp)) > rules.timestamp_window_s * 1000:
        raise ApiError(610, _stale_timestamp_msg(credentials.timestamp))
    if account.replay_guard and not _first_use(rules, account.app_id, credentials.sign):
        raise ApiError(610)
    if not account.enabled:
        raise ApiError(602)
    if account.ip_allow and not ip_allowed(client_ip, account.ip_allow):
        raise ApiError(607)
    if not account.subscribed:
        raise ApiError(601)
    if account.qps is not None and not _within_rate(rules, account.app_id, account.qps):
        raise ApiError(609)
    # A call that would wait past the recognition deadline is told to come back, not left to 610.
    if not rules.line.try_join():
        raise ApiError(609)
    try:
        return _hold_price(store, account, rules, task_no, now_ms)
    except BaseException:
        rules.line.leave()
        raise


def _hold_price(store: Store, account: Account, rules: AdmissionRules, task_no: str, now_ms: int) -> bool:
    # The account read at sign check answers the plain cases without a write; the hold decides.
    if account.daily_quota is not None and quota_used_up(
        rules.quota_counter, store.billed_on, account.app_id, account.daily_quota
    ):
        raise ApiError(606)
    if account.balance < rules.price:
        raise ApiError(603)
    if rules.price <= 0:
        return False
    outcome = store.place_hold(
        task_no,
        account.app_id,
        price=rules.price,
        daily_quota=account.daily_quota,
        at=datetime.fromtimestamp(now_ms / 1000, UTC),
        ttl_s=rules.hold_ttl_s,
    )
    if outcome in _HOLD_REFUSED:
        raise ApiError(_HOLD_REFUSED[outcome])
    return True


def _stale_timestamp_msg(timestamp: str) -> str | None:
    """The 610 text for a timestamp outside the window: the vendor's words, plus a hint when it
    has the 10 digits of seconds since the epoch (milliseconds have had 13 since 2001)."""
    return MSG_TIMESTAMP_SECONDS if len(timestamp.lstrip("0")) == SECONDS_DIGITS else None


def _first_use(rules: AdmissionRules, app_id: str, sign: str) -> bool:
    # A sign stays valid while its timestamp is within ±window, so remember it for twice that.
    try:
        return rules.replay_guard.first_use(f"{app_id}:{sign.lower()}", 2 * rules.timestamp_window_s)
    except LimitsBackendError:
        log.warning("replay guard unavailable; request admitted")  # fail open: keep serving
        return True


def _within_rate(rules: AdmissionRules, app_id: str, qps: int) -> bool:
    if qps < 1:
        return False
    try:
        return rules.rate_limiter.allow(app_id, qps)
    except LimitsBackendError:
        log.warning("rate limiter unavailable; request admitted")  # fail open: keep serving
        return True


def ip_allowed(client_ip: str | None, allow: tuple[str, ...]) -> bool:
    """True when ``client_ip`` lies in one of the CIDRs (IPv4-mapped IPv6 peers count as IPv4)."""
    if not client_ip:
        return False
    try:
        address = ipaddress.ip_address(client_ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(allow))


@lru_cache(maxsize=256)
def _networks(allow: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for cidr in allow:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            continue  # a malformed entry admits nobody rather than failing every request
    return tuple(networks)

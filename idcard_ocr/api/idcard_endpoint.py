"""``POST /ocr/idcard-v1``: the contract's checks in order, recognition, billing, the envelope.

path → maintenance (500) → product off (604) → body and required fields, appId/sign (400) →
timestamp (610) → disabled (602) → IP whitelist (607) → subscription (601) → rate, room in the
recognition line (609) → quota (606) → balance (603) → image (400) → recognition (301/200/610).

Store calls are blocking, so they run in the event loop's worker threads; recognition runs in
its own pool of ``recognizer_pool`` threads under the ``recognition_timeout_s`` deadline. A call
admitted past 603 holds its price (``store.place_hold``), so a burst on a small balance is
refused at once instead of queueing for recognitions that could never be billed. Every outcome
after a sign checks out is recorded with ``store.finish_call``, which also settles the hold:
only a result-0 answer is charged, atomically; every other end releases the hold.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from idcard_ocr.api.access import (
    AdmissionRules,
    Credentials,
    admit,
    authenticate,
    read_credentials,
)
from idcard_ocr.api.envelope import MSG_IMAGE_FORMAT, MSG_NO_IMAGE, ApiError, ChineseJSONResponse, envelope
from idcard_ocr.api.extras import ExtraOptions, cards_of, extras_for, read_extra_options
from idcard_ocr.api.recognition_line import RecognitionLine
from idcard_ocr.api.request_form import RequestForm, parse_form, read_capped_body
from idcard_ocr.api.task_numbers import TaskNumbers
from idcard_ocr.api.url_fetch import UrlFetcher
from idcard_ocr.contract.card import answer_of
from idcard_ocr.contract.codes import MSG_CROWDED
from idcard_ocr.contract.photo_rules import check_image, decode_base64_image
from idcard_ocr.limits import RateLimiter, ReplayGuard
from idcard_ocr.limits.quota import QuotaCounter
from idcard_ocr.limits.switch_cache import LocalSwitchCache
from idcard_ocr.observability import ServiceMetrics
from idcard_ocr.pipeline.assess import HeaderReader
from idcard_ocr.pipeline.multi import PageRecognition, recognize_page
from idcard_ocr.pipeline.types import ImageDecodeError, Recognizer
from idcard_ocr.settings import Settings
from idcard_ocr.storage.base import Account, CallRecord, ChargeOutcome, Store

log = logging.getLogger("idcard_ocr.api")

# Decoding base64 and parsing headers of large photos is moved off the event loop.
_INLINE_PHOTO_BYTES = 256 * 1024
_PRINTABLE_APP_ID = re.compile(r"[^A-Za-z0-9_.\-]")
_LOST_RACE = {ChargeOutcome.INSUFFICIENT_BALANCE: 603, ChargeOutcome.QUOTA_EXCEEDED: 606}
# A hold outlives the longest a live call can take (url fetch, then recognition with its queue)
# by this much, for the photo's upload, extras and a slow commit; past it, it stops counting.
HOLD_MARGIN_S = 30.0


def hold_ttl_s(settings: Settings) -> float:
    """How long a call's hold lasts when nothing settles it (its worker died)."""
    return settings.url_timeout_s + settings.recognition_timeout_s + HOLD_MARGIN_S


@dataclass
class _Call:
    """What one request has learnt so far, for recording and the log line."""

    task_no: str
    started: float = field(default_factory=time.perf_counter)
    app_id: str = ""
    account: Account | None = None
    recorded: bool = False
    held: bool = False  # a hold on the price was placed and not yet settled
    in_line: bool = False  # joined the recognition line and must still leave it
    timings_ms: dict[str, float] = field(default_factory=dict)

    def lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.timings_ms[name] = round((now - since) * 1000, 2)
        return now


@dataclass(frozen=True)
class EndpointParts:
    """The collaborators one worker process shares between requests."""

    task_numbers: TaskNumbers
    switches: LocalSwitchCache
    rate_limiter: RateLimiter
    replay_guard: ReplayGuard
    quota_counter: QuotaCounter
    url_fetcher: UrlFetcher
    metrics: ServiceMetrics


class IdcardEndpoint:
    """Everything one worker process needs to answer the endpoint, shared by all requests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        recognizer: Recognizer,
        parts: EndpointParts,
        header_reader: HeaderReader | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._settings = settings
        self._today = today  # the date the card's dates are checked against, taken once per call
        self._header_reader = header_reader
        self._store = store
        self._recognizer = recognizer
        self._parts = parts
        self._task_numbers = parts.task_numbers
        self._switches = parts.switches
        self.line = RecognitionLine(settings.recognizer_pool, settings.recognition_timeout_s)
        self._rules = AdmissionRules(
            timestamp_window_s=settings.timestamp_window_s,
            price=settings.price_per_call,
            rate_limiter=parts.rate_limiter,
            replay_guard=parts.replay_guard,
            quota_counter=parts.quota_counter,
            line=self.line,
            hold_ttl_s=hold_ttl_s(settings),
        )
        self._pool = ThreadPoolExecutor(max_workers=settings.recognizer_pool, thread_name_prefix="recognize")

    def next_task_no(self) -> str:
        """A fresh taskNo (also used for answers produced outside this endpoint)."""
        return self._task_numbers.next()

    def close(self) -> None:
        """Stop the recognition pool (running recognitions finish first)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def handle(self, request: Request) -> ChineseJSONResponse:
        """Answer one request; never raises."""
        call = _Call(task_no=self._task_numbers.next())
        try:
            body = await self._answer(request, call)
        except ApiError as refusal:
            body = envelope(refusal.code, call.task_no, msg=refusal.msg)
            await self._record_unbilled(call, refusal.code)
        except Exception as exc:  # the contract's 999: logged here, never shown to the caller
            self._log_unexpected(call, exc)
            body = envelope(999, call.task_no)
            await self._record_unbilled(call, 999)
        except asyncio.CancelledError:  # the server is stopping under this call
            self._abandon(call)
            raise
        finally:
            self._leave_line(call)
        self._parts.metrics.count_answer(body["code"], charged=body["charge"])
        self._log_line(call, body)
        return ChineseJSONResponse(body)

    async def _answer(self, request: Request, call: _Call) -> dict[str, Any]:
        switches = (
            await run_in_threadpool(self._switches.current)
            if self._switches.is_stale()
            else self._switches.current()
        )
        if switches.maintenance:
            raise ApiError(500)
        if not switches.product_enabled:
            raise ApiError(604)

        lap = call.started
        raw_body = await read_capped_body(request, self._settings.max_body_bytes)
        form = parse_form(request.headers.get("content-type", ""), raw_body)
        credentials = read_credentials(form)
        options = read_extra_options(form)  # opt-in extras: a bad value is a 400 like any field
        call.app_id = credentials.app_id
        lap = call.lap("read_ms", lap)

        peer = request.client.host if request.client else None
        await run_in_threadpool(self._authenticate_and_admit, call, credentials, peer)
        lap = call.lap("auth_ms", lap)

        photo = await self._photo_bytes(form)
        lap = call.lap("photo_ms", lap)
        today = self._today()  # one date for the reading, its extras and every card of the page
        page = await self._recognize(photo, call, options, today)
        recognition = page.chosen
        lap = call.lap("recognize_ms", lap)
        code, data = answer_of(recognition)
        if data is None:
            raise ApiError(code)

        if options.requested:  # added before billing, which depends on ``result`` alone
            data.update(
                await run_in_threadpool(extras_for, options, photo, recognition, self._header_reader, today)
            )
        if options.multi:
            data["cards"] = await run_in_threadpool(
                cards_of, options, photo, [c for c in page.cards if c.text_found], self._header_reader, today
            )
        # One photo, one price: the chosen card reads whenever any card does (``read_page``).
        price = self._settings.price_per_call if data["result"] == 0 else 0
        outcome = await run_in_threadpool(self._finish, call, 200, price)
        call.lap("bill_ms", lap)
        if outcome in _LOST_RACE:
            return envelope(_LOST_RACE[outcome], call.task_no)
        msg = MSG_CROWDED if options.multi and page.crowded else None
        return envelope(200, call.task_no, msg=msg, charge=outcome is ChargeOutcome.CHARGED, data=data)

    def _authenticate_and_admit(self, call: _Call, credentials: Credentials, peer: str | None) -> None:
        call.account = authenticate(self._store, credentials)
        call.held = admit(
            self._store,
            call.account,
            credentials,
            peer,
            self._rules,
            now_ms=time.time_ns() // 1_000_000,
            task_no=call.task_no,
        )
        call.in_line = True

    async def _photo_bytes(self, form: RequestForm) -> bytes:
        """The first present of file, base64/image, url, passed through the image gate."""
        limit = self._settings.max_image_bytes
        if form.has("file"):
            photo = form.raw("file") or b""
        elif form.has("base64") or form.has("image"):
            name = "base64" if form.has("base64") else "image"
            text = form.text(name) or ""
            photo = (
                decode_base64_image(text, limit, name)
                if len(text) <= _INLINE_PHOTO_BYTES
                else await run_in_threadpool(decode_base64_image, text, limit, name)
            )
        elif form.has("url"):
            photo = await self._parts.url_fetcher.fetch(form.text("url") or "")
        else:
            raise ApiError(400, MSG_NO_IMAGE)
        if len(photo) <= _INLINE_PHOTO_BYTES:
            return check_image(photo, limit).data
        return (await run_in_threadpool(check_image, photo, limit)).data

    def _timed_recognition(self, photo: bytes, options: ExtraOptions, today: date) -> PageRecognition:
        # Only a photo whose first card is not the side wanted is searched for another, unless
        # every card was asked for: a single-card photo is read exactly as before.
        started = time.perf_counter()
        try:
            return recognize_page(self._recognizer, photo, options.expected_side, options.multi, today)
        finally:
            self.line.observe(time.perf_counter() - started)

    async def _recognize(
        self, photo: bytes, call: _Call, options: ExtraOptions, today: date
    ) -> PageRecognition:
        future = self._pool.submit(self._timed_recognition, photo, options, today)
        # The call stays in line until its recognition ends, even if it stops waiting (610): the
        # recogniser is busy with it all the same. A cancelled queued one leaves at once.
        call.in_line = False
        future.add_done_callback(lambda _done: self.line.leave())
        try:
            # The deadline includes time queued behind other recognitions.
            with self._parts.metrics.queued_recognition():
                return await asyncio.wait_for(
                    asyncio.wrap_future(future), self._settings.recognition_timeout_s
                )
        except TimeoutError:
            future.cancel()
            raise ApiError(610) from None
        except ImageDecodeError:
            raise ApiError(400, MSG_IMAGE_FORMAT) from None
        except Exception as exc:  # the engine failed on a valid image: the contract's 301
            log.warning("recognition failed: %s", type(exc).__name__)
            raise ApiError(301) from None

    def _finish(self, call: _Call, code: int, price: int) -> ChargeOutcome:
        assert call.account is not None
        record = CallRecord(
            task_no=call.task_no,
            app_id=call.account.app_id,
            code=code,
            elapsed_ms=round((time.perf_counter() - call.started) * 1000, 2),
            at=datetime.now(UTC),
        )
        try:
            outcome = self._store.finish_call(record, price=price, daily_quota=call.account.daily_quota)
        except Exception as exc:
            # A dropped connection leaves it unknown whether the commit landed. finish_call is
            # idempotent per taskNo, so asking once more either charges now or reports the charge
            # already made: the answer then matches the ledger instead of a 999 over a charge.
            log.warning("taskNo=%s recording failed (%s); retrying once", call.task_no, type(exc).__name__)
            outcome = self._store.finish_call(record, price=price, daily_quota=call.account.daily_quota)
        call.recorded = True
        call.held = False
        if outcome is ChargeOutcome.CHARGED:
            self._parts.quota_counter.record_billed(call.account.app_id)
        elif outcome is ChargeOutcome.QUOTA_EXCEEDED:
            self._parts.quota_counter.reconcile(self._store.billed_on, call.account.app_id)  # it was behind
        return outcome

    async def _record_unbilled(self, call: _Call, code: int) -> None:
        if call.account is None or call.recorded:
            return
        try:
            await run_in_threadpool(self._finish, call, code, 0)
        except Exception as exc:  # the answer stands even if the ledger could not take the record
            log.error("taskNo=%s could not record the call: %s", call.task_no, type(exc).__name__)

    def _leave_line(self, call: _Call) -> None:
        if call.in_line:  # refused after admission, before its recognition was queued
            call.in_line = False
            self.line.leave()

    def _abandon(self, call: _Call) -> None:
        """Release the hold of a call cut short before it was recorded (else it would expire)."""
        if not call.held:
            return
        try:
            self._store.release_hold(call.task_no)  # blocking, but the loop is shutting this call down
        except Exception as exc:
            log.warning("taskNo=%s hold left to expire: %s", call.task_no, type(exc).__name__)

    def _log_unexpected(self, call: _Call, exc: BaseException) -> None:
        if self._settings.log_sensitive:
            log.exception("taskNo=%s unexpected error", call.task_no)
            return
        # Messages can quote request data; without log_sensitive only the type and frames go out.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("taskNo=%s unexpected error %s\n%s", call.task_no, type(exc).__name__, frames)

    def _log_line(self, call: _Call, body: dict[str, Any]) -> None:
        timings = " ".join(f"{k}={v}" for k, v in call.timings_ms.items())
        total_ms = (time.perf_counter() - call.started) * 1000
        app_id = _PRINTABLE_APP_ID.sub("?", call.app_id[:64])
        log.info(
            "taskNo=%s appId=%s code=%s charge=%s total_ms=%.2f %s",
            call.task_no,
            app_id or "-",
            body["code"],
            str(body["charge"]).lower(),
            total_ms,
            timings,
        )

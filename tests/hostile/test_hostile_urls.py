"""The ``url`` input under attack: internal targets in every spelling, rebinding, slow and lying servers.

A ``trap`` server on loopback stands for the operator's internal network; after every attack it
must have seen no request at all. Public addresses are steered to a loopback ``site`` at the
socket level, so a test can prove which address a fetch connected to.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from idcard_ocr.api.envelope import MSG_IMAGE_SIZE, ApiError
from idcard_ocr.api.url_fetch import (
    MSG_URL_FORBIDDEN,
    MSG_URL_INVALID,
    MSG_URL_SCHEME,
    MSG_URL_TIMEOUT,
    UrlFetcher,
)
from tests.api.support import ServiceFactory
from tests.hostile.hostile_support import assert_refused_unbilled, ledger_state
from tests.hostile.url_servers import (
    MB2,
    PHOTO,
    ConnectionLog,
    ScriptedResolver,
    _LoggingServer,
    loopback_server,
    port_of,
)

pytestmark = pytest.mark.anyio
PUBLIC = "93.184.216.34"  # a globally routable address; connections to it are steered to `site`


@pytest.fixture(scope="module")
def site() -> Iterator[_LoggingServer]:
    with loopback_server() as server:
        yield server


@pytest.fixture(scope="module")
def trap() -> Iterator[_LoggingServer]:
    with loopback_server() as server:
        yield server


@pytest.fixture
def resolver(trap: _LoggingServer) -> ScriptedResolver:
    return ScriptedResolver(
        {
            "public.example": [[PUBLIC]],
            "localhost": [["127.0.0.1"]],
            "internal.example": [["127.0.0.1"]],
            "mixed.example": [[PUBLIC, "10.0.0.7"]],
            "mixed-private-first.example": [["192.168.0.3", PUBLIC]],
            "mapped.example": [["::ffff:127.0.0.1"]],
            "rebind.example": [[PUBLIC], ["127.0.0.1"]],  # public when checked, loopback after
        }
    )


@pytest.fixture
def connections(site: _LoggingServer, monkeypatch: pytest.MonkeyPatch) -> ConnectionLog:
    log = ConnectionLog(steer_to=port_of(site))
    log.install(monkeypatch)
    return log


def make_fetcher(resolver: ScriptedResolver, allow: str = "", timeout_s: float = 5.0) -> UrlFetcher:
    return UrlFetcher(
        allow_hosts=frozenset(h for h in allow.split(",") if h),
        timeout_s=timeout_s,
        max_redirects=3,
        max_bytes=MB2,
        resolver=resolver,
    )


async def refusal(fetcher: UrlFetcher, url: str) -> str:
    with pytest.raises(ApiError) as raised:
        await fetcher.fetch(url)
    assert raised.value.code == 400
    return raised.value.msg


def internal_spellings(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/x",
        f"http://localhost:{port}/x",
        f"http://internal.example:{port}/x",
        f"http://[::1]:{port}/x",
        f"http://[fe80::1]:{port}/x",
        f"http://[::ffff:127.0.0.1]:{port}/x",
        f"http://[::ffff:7f00:1]:{port}/x",
        f"http://mapped.example:{port}/x",
        f"http://2130706433:{port}/x",
        f"http://0177.0.0.1:{port}/x",  # httpx itself refuses leading zeros: "格式不正确"
        f"http://0x7f.1:{port}/x",
        f"http://0x7f000001:{port}/x",
        f"http://127.1:{port}/x",
        f"http://0:{port}/x",
        f"http://public.example@127.0.0.1:{port}/x",
        f"http://{PUBLIC}@127.0.0.1:{port}/x",
        f"http://127.0.0.1:{port}#@public.example/x",
        f"HTTP://127.0.0.1:{port}/x",
        f"http://mixed.example:{port}/x",
        f"http://mixed-private-first.example:{port}/x",
    ]


async def test_internal_targets_are_refused_directly_and_through_redirect_chains(
    site: _LoggingServer, trap: _LoggingServer, resolver: ScriptedResolver, connections: ConnectionLog
) -> None:
    site_host = f"127.0.0.1:{port_of(site)}"
    fetcher = make_fetcher(resolver, allow=site_host)
    for target in internal_spellings(port_of(trap)):
        expected = MSG_URL_INVALID if "0177." in target else MSG_URL_FORBIDDEN
        assert await refusal(fetcher, target) == expected, target
        one_hop = f"http://{site_host}/redirect?to={target}"
        assert await refusal(fetcher, one_hop) == expected, one_hop
        two_hops = f"http://{site_host}/redirect?to=/redirect?to={target}"
        assert await refusal(fetcher, two_hops) == expected, two_hops
    assert trap.requests == []
    assert all(port != port_of(trap) for _host, port in connections.opened)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://public.example/a.jpg",
        "gopher://public.example:70/_GET%20/",
        "dict://public.example:11211/stat",
        "ldap://public.example/",
        "jar:http://public.example/a.jar!/",
        "//127.0.0.1/x",
        "/etc/passwd",
        "http://",
    ],
)
async def test_only_http_and_https_leave_the_server(
    url: str, resolver: ScriptedResolver, connections: ConnectionLog
) -> None:
    assert await refusal(make_fetcher(resolver), url) in (MSG_URL_SCHEME, MSG_URL_INVALID)
    assert connections.opened == [] and resolver.lookups == []


async def test_dns_rebinding_cannot_swap_the_checked_address(
    site: _LoggingServer, trap: _LoggingServer, resolver: ScriptedResolver, connections: ConnectionLog
) -> None:
    port = port_of(trap)
    fetcher = make_fetcher(resolver)
    site.requests.clear()
    # The name is looked up once, checked, and the socket goes to that very address (steered to
    # `site`), never to the loopback answer a second lookup would give.
    assert await fetcher.fetch(f"http://rebind.example:{port}/card.jpg") == PHOTO
    assert resolver.lookups == ["rebind.example"]
    assert connections.opened == [(PUBLIC, port)]
    assert site.requests == [("/card.jpg", f"rebind.example:{port}")]  # the name, not the address
    # A redirect back to the same name is looked up again and now refused.
    redirect = f"http://rebind.example:{port}/redirect?to=/card.jpg"
    assert await refusal(fetcher, redirect) == MSG_URL_FORBIDDEN
    assert trap.requests == []


async def test_userinfo_cannot_smuggle_a_different_host(
    site: _LoggingServer, trap: _LoggingServer, resolver: ScriptedResolver, connections: ConnectionLog
) -> None:
    port = port_of(trap)
    fetcher = make_fetcher(resolver)
    # The host after '@' is the one connected to; credentials are never the destination.
    assert await fetcher.fetch(f"http://127.0.0.1:{port}@public.example:{port}/card.jpg") == PHOTO
    assert connections.opened[-1] == (PUBLIC, port)
    for url in (
        f"http://public.example:{port}\\@127.0.0.1:{port}/card.jpg",
        f"http://public.example%40127.0.0.1:{port}/card.jpg",
    ):
        with pytest.raises(ApiError):
            await fetcher.fetch(url)
    assert trap.requests == []


async def test_slow_drip_is_stopped_by_the_total_deadline(
    site: _LoggingServer, resolver: ScriptedResolver
) -> None:
    # One byte every 0.1 s keeps any per-read timeout happy; only a total deadline stops it.
    fetcher = make_fetcher(resolver, allow=f"127.0.0.1:{port_of(site)}", timeout_s=1.0)
    started = time.perf_counter()
    assert await refusal(fetcher, f"http://127.0.0.1:{port_of(site)}/drip") == MSG_URL_TIMEOUT
    assert 0.9 < time.perf_counter() - started < 1.8


async def test_lying_and_endless_bodies_stop_at_two_megabytes(
    site: _LoggingServer, resolver: ScriptedResolver
) -> None:
    fetcher = make_fetcher(resolver, allow=f"127.0.0.1:{port_of(site)}")
    base = f"http://127.0.0.1:{port_of(site)}"
    # Content-Length 100 followed by 3 MB: the declared length frames the body, nothing more.
    assert len(await fetcher.fetch(f"{base}/liar")) == 100
    assert await refusal(fetcher, f"{base}/chunked") == MSG_IMAGE_SIZE  # 3 MB chunked, no length


async def test_through_the_service_hostile_urls_are_400_and_unbilled(
    service_factory: ServiceFactory,
    trap: _LoggingServer,
    resolver: ScriptedResolver,
    connections: ConnectionLog,
) -> None:
    fetcher = make_fetcher(resolver)
    service = service_factory(adjust_parts=lambda parts: dataclasses.replace(parts, url_fetcher=fetcher))
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    port = port_of(trap)
    for url in (f"http://[::ffff:127.0.0.1]:{port}/", f"http://0177.0.0.1:{port}/", "gopher://x/"):
        body = await service.post(caller.signed(url=url))
        assert_refused_unbilled(body, before, ledger_state(service, caller), 400)
    # A public server redirecting to a Location httpx cannot parse (this was a 999).
    body = await service.post(caller.signed(url="http://public.example/redirect?to=http://0177.0.0.1/"))
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_URL_INVALID)
    body = await service.post(caller.signed(url=f"http://rebind.example:{port}/card.jpg"))
    assert (body["code"], body["charge"]) == (200, True)
    assert service.recognizer.seen[-1] == PHOTO and service.billed(caller) == 1
    assert trap.requests == []
    await service.http.aclose()


async def test_the_default_five_second_deadline_holds_through_the_service(
    service_factory: ServiceFactory, site: _LoggingServer
) -> None:
    service = service_factory(url_allow_hosts=f"127.0.0.1:{port_of(site)}")  # default url_timeout_s
    assert service.settings.url_timeout_s == 5.0
    caller = service.account(balance=5)
    before = ledger_state(service, caller)
    started = time.perf_counter()
    body = await service.post(caller.signed(url=f"http://127.0.0.1:{port_of(site)}/drip"))
    elapsed = time.perf_counter() - started
    assert_refused_unbilled(body, before, ledger_state(service, caller), 400, MSG_URL_TIMEOUT)
    assert 4.9 < elapsed < 6.5, elapsed
    await service.http.aclose()

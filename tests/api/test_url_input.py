"""``url`` input: fetched from a loopback image server on the allow list; internal targets refused."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from idcard_ocr.api.envelope import ApiError
from idcard_ocr.api.url_fetch import (
    IPAddress,
    UrlFetcher,
    is_public_address,
    parse_allow_entry,
    parse_ip_literal,
)
from tests.api.support import ServiceFactory, jpeg_bytes

pytestmark = pytest.mark.anyio
PHOTO = jpeg_bytes(160, 100)
MB2 = 2 * 1024 * 1024


class _ImageServer(BaseHTTPRequestHandler):
    """/card.jpg the photo; /redirect?to=X a 302 to X; /big a body past 2 MB with no length given,
    /declared-big a length past 2 MB; /slow headers then silence."""

    def do_GET(self) -> None:
        if self.path == "/card.jpg":
            self._send(200, PHOTO, {"Content-Type": "image/jpeg"})
        elif self.path.startswith("/redirect?to="):
            self._send(302, b"", {"Location": self.path.split("=", 1)[1]})
        elif self.path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif self.path == "/big":
            self._send(200, b"\xff" * (MB2 + 10), {}, declared=True)  # delimited by closing
        elif self.path == "/declared-big":
            self._send(200, b"\xff" * 10, {"Content-Length": str(MB2 + 10)}, declared=True)
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PHOTO)))
            self.end_headers()
            threading.Event().wait(2.0)
        else:
            self._send(404, b"no", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str], declared: bool = False) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if not declared:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may stop reading, as it should
            self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    """``127.0.0.1:<port>`` of a loopback image server started for these tests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImageServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetcher(allow: str = "", timeout_s: float = 5.0) -> UrlFetcher:
    hosts = frozenset(h for h in allow.split(",") if h)
    return UrlFetcher(allow_hosts=hosts, timeout_s=timeout_s, max_redirects=3, max_bytes=MB2)


async def refusal(fetch: UrlFetcher, url: str) -> str:
    with pytest.raises(ApiError) as raised:
        await fetch.fetch(url)
    assert raised.value.code == 400
    return raised.value.msg


async def test_allowed_loopback_server_is_fetched(image_server: str) -> None:
    assert await fetcher(image_server).fetch(f"http://{image_server}/card.jpg") == PHOTO
    # A redirect to another path on the same allowed host is followed.
    url = f"http://{image_server}/redirect?to=/card.jpg"
    assert await fetcher(image_server).fetch(url) == PHOTO


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/card.jpg",
        "http://localhost/card.jpg",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # hexadecimal short form
        "http://127.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://10.0.0.8/",
        "http://192.168.1.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
    ],
)
async def test_internal_addresses_are_refused(url: str) -> None:
    assert await refusal(fetcher(), url) == "参数错误: url 指向内网或保留地址"


async def test_allow_list_names_host_and_port(image_server: str) -> None:
    host, port = image_server.split(":")
    other_port = f"http://{host}:{int(port) + 1}/card.jpg"
    assert await refusal(fetcher(image_server), other_port) == "参数错误: url 指向内网或保留地址"
    assert await fetcher(host).fetch(f"http://{image_server}/card.jpg") == PHOTO  # host alone: any port


@pytest.mark.parametrize("listed", ["localhost", "127.0.0.1", "[::1]", "LocalHost.", "127.1"])
async def test_localhost_and_127_0_0_1_are_one_allow_list_entry(image_server: str, listed: str) -> None:
    port = image_server.split(":")[1]
    fetch = fetcher(f"{listed}:{port}")
    for host in ("127.0.0.1", "localhost", "0x7f.1"):
        assert await fetch.fetch(f"http://{host}:{port}/card.jpg") == PHOTO, host
    # Still only that port, and only this machine's own name for itself (not all of 127/8).
    assert await refusal(fetch, f"http://localhost:{int(port) + 1}/") == "参数错误: url 指向内网或保留地址"
    assert await refusal(fetch, f"http://127.0.0.2:{port}/") == "参数错误: url 指向内网或保留地址"


async def test_localhost_resolving_to_ipv6_first_still_reaches_an_ipv4_server(image_server: str) -> None:
    port = image_server.split(":")[1]
    ipv6_first = [parse_ip_literal("::1"), parse_ip_literal("127.0.0.1")]

    async def resolver(host: str, _port: int) -> list[IPAddress]:
        assert host == "localhost"
        return [a for a in ipv6_first if a is not None]

    fetch = UrlFetcher(
        allow_hosts=frozenset({"localhost"}), timeout_s=5.0, max_redirects=3, max_bytes=MB2, resolver=resolver
    )
    # The server listens on 127.0.0.1 only: ::1 refuses the connection and the next address is tried.
    assert await fetch.fetch(f"http://localhost:{port}/card.jpg") == PHOTO


def test_allow_list_entries_are_read_as_an_operator_writes_them() -> None:
    assert parse_allow_entry("localhost") == ("localhost", None)
    assert parse_allow_entry("[::1]:8080") == ("localhost", 8080)
    assert parse_allow_entry("::1") == ("localhost", None)
    assert parse_allow_entry("Images.Example.COM:443") == ("images.example.com", 443)
    assert parse_allow_entry("10.0.0.8") == ("10.0.0.8", None)
    assert parse_allow_entry("[fd00::1]") == ("fd00::1", None)
    assert parse_allow_entry("images.example.com:http") is None  # not a port: allows nothing
    assert parse_allow_entry(":8080") is None


async def test_a_refused_url_tells_the_operator_which_setting_allows_it(
    image_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = image_server.split(":")[1]
    with caplog.at_level(logging.WARNING, logger="idcard_ocr.api"):
        msg = await refusal(fetcher(), f"http://localhost:{port}/card.jpg")
    assert msg == "参数错误: url 指向内网或保留地址"  # the caller learns nothing more
    lines = [r.getMessage() for r in caplog.records if r.name == "idcard_ocr.api"]
    assert len(lines) == 1
    assert "IDCARD_URL_ALLOW_HOSTS" in lines[0] and "loopback" in lines[0]
    assert "card.jpg" not in lines[0]  # the url itself is the caller's data and stays out of logs


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://x/", "data:,x"])
async def test_only_http_and_https(url: str) -> None:
    assert await refusal(fetcher(), url) in ("参数错误: url 只支持 http 和 https", "参数错误: url 格式不正确")


async def test_redirects_into_internal_addresses_are_refused(image_server: str) -> None:
    fetch = fetcher(image_server)
    for target in (
        "http://127.0.0.2/",
        "http://localhost:9/",
        "http://169.254.169.254/",
        "file:///etc/passwd",
    ):
        msg = await refusal(fetch, f"http://{image_server}/redirect?to={target}")
        assert msg in ("参数错误: url 指向内网或保留地址", "参数错误: url 只支持 http 和 https")


async def test_redirect_limit_size_limit_and_deadline(image_server: str) -> None:
    assert (
        await refusal(fetcher(image_server), f"http://{image_server}/loop") == "参数错误: url 重定向次数过多"
    )
    for path in ("/big", "/declared-big"):
        assert await refusal(fetcher(image_server), f"http://{image_server}{path}") == "照片大小不能超过2MB"
    slow = fetcher(image_server, timeout_s=0.5)
    assert await refusal(slow, f"http://{image_server}/slow") == "参数错误: url 下载超时"
    assert (await refusal(fetcher(image_server), f"http://{image_server}/missing")).startswith(
        "参数错误: url 无法访问"
    )


def test_ip_spellings_and_classes() -> None:
    assert str(parse_ip_literal("0177.0.0.1")) == "127.0.0.1"
    assert str(parse_ip_literal("[::1]")) == "::1"
    assert parse_ip_literal("example.com") is None
    public = parse_ip_literal("8.8.8.8")
    assert public is not None and is_public_address(public)
    mapped = parse_ip_literal("::ffff:10.0.0.1")
    assert mapped is not None and not is_public_address(mapped)


async def test_url_through_the_service_is_billed_once(
    service_factory: ServiceFactory, image_server: str
) -> None:
    service = service_factory(url_allow_hosts=image_server)
    caller = service.account(balance=2)
    body = await service.post(caller.signed(url=f"http://{image_server}/card.jpg"))
    assert body["code"] == 200 and body["charge"] is True
    assert service.recognizer.seen[-1] == PHOTO
    body = await service.post(caller.signed(url="http://169.254.169.254/latest/meta-data/"))
    assert (body["code"], body["msg"], body["charge"]) == (400, "参数错误: url 指向内网或保留地址", False)
    assert service.balance(caller) == 1
    await service.http.aclose()

"""The demo routes over ASGI: the page and its assets, who may read the demo secret, when it is on."""

from __future__ import annotations

import re
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from idcard_ocr.api import create_app
from idcard_ocr.settings import Settings
from idcard_ocr.storage.sql import SqlStore
from idcard_ocr.web import DemoAccount, demo_router, mount_demo, read_demo_account, write_demo_account
from idcard_ocr.web.demo_account import demo_account_path
from tests.web.live_server import StubRecognizer

ACCOUNT = DemoAccount("demo-app-id", "demo-secret-0123456789")
LOOPBACK_HOST = {"Host": "127.0.0.1:8000"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _client(app: FastAPI, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


def _demo_app(data_dir: Path, *, allow_remote: bool = False) -> FastAPI:
    app = FastAPI()
    app.include_router(demo_router(Settings(data_dir=data_dir), allow_remote=allow_remote))
    return app


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A loopback browser talking to the demo routes, with the demo account written."""
    write_demo_account(tmp_path, ACCOUNT)
    async with _client(_demo_app(tmp_path)) as client:
        yield client


@pytest.mark.anyio
async def test_root_and_slash_redirect_to_the_page(local: httpx.AsyncClient) -> None:
    for path in ("/", "/demo/"):
        response = await local.get(path)
        assert response.status_code == 302
        assert response.headers["location"] == "/demo"


@pytest.mark.anyio
async def test_the_page_and_its_assets_stay_on_this_server(local: httpx.AsyncClient) -> None:
    page = await local.get("/demo")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="photo"' in page.text
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    for name, kind in [
        ("demo.js", "text/javascript"),
        ("sign.js", "text/javascript"),
        ("extras.js", "text/javascript"),
        ("demo.css", "text/css"),
    ]:
        asset = await local.get(f"/demo/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"].startswith(kind)
        # No CDN, no absolute address: everything the page loads or calls is relative to it.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", asset.text), name
        assert ACCOUNT.secret not in asset.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)
    assert ACCOUNT.secret not in page.text


@pytest.mark.anyio
@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.1"])
async def test_a_loopback_browser_gets_the_demo_credentials(local: httpx.AsyncClient, host: str) -> None:
    headers = {"Sec-Fetch-Site": "same-origin", "Host": host}
    response = await local.get("/demo/credentials", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"appId": ACCOUNT.app_id, "appSecret": ACCOUNT.secret}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("peer", "headers"),
    [
        ("192.168.1.20", {}),  # another machine on the LAN
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}),  # relayed by a proxy on this machine
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}),
        ("127.0.0.1", {"Host": "evil.example:8000"}),  # a DNS name rebound to 127.0.0.1
        ("127.0.0.1", {"Sec-Fetch-Site": "cross-site"}),  # another site's script
    ],
)
async def test_the_secret_is_refused_to_anyone_not_on_this_machine(
    tmp_path: Path, peer: str, headers: dict[str, str]
) -> None:
    write_demo_account(tmp_path, ACCOUNT)
    async with _client(_demo_app(tmp_path), peer) as client:
        response = await client.get("/demo/credentials", headers=headers)
    assert response.status_code == 403
    assert ACCOUNT.secret not in response.text
    assert response.json()["error"]


@pytest.mark.anyio
async def test_allow_remote_serves_the_secret_to_the_lan(tmp_path: Path) -> None:
    write_demo_account(tmp_path, ACCOUNT)
    async with _client(_demo_app(tmp_path, allow_remote=True), "192.168.1.20") as client:
        response = await client.get("/demo/credentials")
    assert response.json()["appSecret"] == ACCOUNT.secret


@pytest.mark.anyio
async def test_without_a_demo_account_the_page_is_told_how_to_make_one(tmp_path: Path) -> None:
    async with _client(_demo_app(tmp_path)) as client:
        response = await client.get("/demo/credentials")
    assert response.status_code == 404
    assert "idcard-ocr demo" in response.json()["error"]


@pytest.mark.anyio
async def test_the_page_is_off_unless_the_operator_turns_it_on(
    store: SqlStore, database_url: str, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(database_url)
    off = create_app(settings, store, StubRecognizer())
    assert mount_demo(off, settings) is False
    async with _client(off) as client:
        missing = await client.get("/demo")
    assert missing.status_code == 404
    assert missing.json() == {"code": 404, "msg": "接口地址不正确"}

    settings = settings_for(database_url, demo_page=True)
    on = create_app(settings, store, StubRecognizer())
    assert mount_demo(on, settings) is True
    routes = len(on.routes)
    assert mount_demo(on, settings) is True
    assert len(on.routes) == routes  # a second call adds nothing
    async with _client(on) as client:
        assert (await client.get("/demo")).status_code == 200
        assert (await client.get("/")).headers["location"] == "/demo"
    for app in (off, on):
        app.state.endpoint.close()


def test_the_credentials_file_is_private_and_reads_back(tmp_path: Path) -> None:
    path = write_demo_account(tmp_path / "data", ACCOUNT)
    assert path == demo_account_path(tmp_path / "data")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_demo_account(tmp_path / "data") == ACCOUNT
    assert ACCOUNT.secret not in str(ACCOUNT.masked())


@pytest.mark.parametrize(
    "content", ["", "not json", "[]", '{"appId": "x"}', '{"appId": 1, "appSecret": "s"}']
)
def test_a_damaged_credentials_file_reads_as_none(tmp_path: Path, content: str) -> None:
    demo_account_path(tmp_path).write_text(content, encoding="utf-8")
    assert read_demo_account(tmp_path) is None

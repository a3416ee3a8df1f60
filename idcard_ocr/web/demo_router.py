"""The demo page's routes: ``/`` → ``/demo``, the page and its assets, and ``/demo/credentials``.

The page signs its calls to ``POST /ocr/idcard-v1`` like any client, so it needs the demo
account's appId and secret. ``/demo/credentials`` hands them out only to a browser on this very
machine (loopback address, loopback ``Host``, not relayed by a proxy, not requested from another
site) unless the operator allows remote clients with ``IDCARD_DEMO_ALLOW_REMOTE=1``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from idcard_ocr.settings import Settings
from idcard_ocr.web.demo_account import read_demo_account

DEMO_PATH = "/demo"
# Everything the page loads or sends stays on this server: the browser itself refuses any other
# destination for scripts, styles, images and fetches. data:/blob: are the photo and the crops.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
_ASSETS = {
    "demo.js": "text/javascript; charset=utf-8",
    "sign.js": "text/javascript; charset=utf-8",
    "extras.js": "text/javascript; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}
_PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return resources.files("idcard_ocr.web").joinpath("static", name).read_bytes()


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def _host_name(host_header: str) -> str:
    """``Host`` without its port; IPv6 literals keep their address only."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def credentials_refusal(request: Request) -> str | None:
    """Why this request may not receive the demo secret, or None when it may.

    A loopback peer alone is not enough: a reverse proxy on this machine would make every visitor
    look local, and a rebound DNS name would let another site read the answer as its own.
    """
    if not _is_loopback(request.client.host if request.client else None):
        return "the demo credentials are served to this machine only (IDCARD_DEMO_ALLOW_REMOTE=1 to allow)"
    if any(name in request.headers for name in _PROXY_HEADERS):
        return "the request came through a proxy; the demo credentials are served to this machine only"
    if not _is_loopback(_host_name(request.headers.get("host", ""))):
        return "open the demo page as http://127.0.0.1 or http://localhost to use the demo credentials"
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return "the demo credentials are not served to other sites"
    return None


def demo_router(settings: Settings, *, allow_remote: bool = False) -> APIRouter:
    """Routes for the demo page; the credentials come from ``<settings.data_dir>/demo-account.json``.

    The file is read on every request, so ``idcard-ocr demo`` may (re)write it while the server runs.
    """
    router = APIRouter(include_in_schema=False)
    data_dir = settings.data_dir

    @router.get("/")
    async def root() -> Response:
        return RedirectResponse(DEMO_PATH, status_code=302)

    @router.get(f"{DEMO_PATH}/")
    async def page_with_slash() -> Response:
        return RedirectResponse(DEMO_PATH, status_code=302)

    @router.get(DEMO_PATH)
    async def page() -> Response:
        return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    for name, media_type in _ASSETS.items():
        router.add_api_route(f"{DEMO_PATH}/{name}", _asset_route(name, media_type), methods=["GET"])

    @router.get(f"{DEMO_PATH}/credentials")
    async def credentials(request: Request) -> Response:
        headers = {"Cache-Control": "no-store"}
        refusal = None if allow_remote else credentials_refusal(request)
        if refusal is not None:
            return JSONResponse({"error": refusal}, status_code=403, headers=headers)
        account = read_demo_account(data_dir)
        if account is None:
            missing = "no demo account: run `idcard-ocr demo` to create one"
            return JSONResponse({"error": missing}, status_code=404, headers=headers)
        return JSONResponse({"appId": account.app_id, "appSecret": account.secret}, headers=headers)

    return router


def _asset_route(name: str, media_type: str) -> Callable[[], Awaitable[Response]]:
    async def asset() -> Response:
        return Response(_asset(name), media_type=media_type, headers=_PAGE_HEADERS)

    asset.__name__ = f"asset_{name.replace('.', '_')}"
    return asset


def mount_demo(
    app: FastAPI, settings: Settings, *, enabled: bool | None = None, allow_remote: bool | None = None
) -> bool:
    """Add the demo routes to ``app`` when enabled; returns whether they were added.

    ``enabled`` and ``allow_remote`` default to ``settings.demo_page`` and ``settings.demo_allow_remote``.
    """
    if not (settings.demo_page if enabled is None else enabled):
        return False
    if getattr(app.state, "demo_mounted", False):  # an app factory may already have added it
        return True
    remote = settings.demo_allow_remote if allow_remote is None else allow_remote
    app.include_router(demo_router(settings, allow_remote=remote))
    app.state.demo_mounted = True
    return True

"""Cross-origin calls from browser pages to the contract endpoint (``IDCARD_CORS_ORIGINS``).

Starlette's own ``CORSMiddleware`` writes the headers, but only for the contract's path: the
probes, ``/metrics``, ``/openapi.json`` and the demo page stay same-origin. Never with
credentials: the sign in the form is the only proof of who calls, so cookies and HTTP
authentication are neither needed nor allowed to ride along.

A preflight that the middleware would refuse (an origin not listed, a method other than POST)
is handed to the app instead, which answers it as any other wrong method: HTTP 405 with the
contract's envelope and no CORS headers, so the browser refuses the call, as without CORS.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PREFLIGHT_MAX_AGE_S = 600


class ContractCors:
    """ASGI middleware applying CORS for ``origins`` to requests for ``path`` only."""

    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...], path: str) -> None:
        self._app = app
        self._path = path
        self._any_origin = "*" in origins
        self._origins = frozenset(origins)
        self._cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["POST"],
            # Any request header may be named in a preflight: none of them is trusted for anything.
            allow_headers=["*"],
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE_S,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._applies(scope):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["path"] != self._path:
            return False
        return scope["method"] != "OPTIONS" or self._preflight_allowed(scope)

    def _preflight_allowed(self, scope: Scope) -> bool:
        headers = {name.lower(): value for name, value in scope["headers"]}
        origin = headers.get(b"origin", b"").decode("latin-1")
        method = headers.get(b"access-control-request-method", b"").decode("latin-1")
        if not origin or not method:
            return False  # not a preflight: a plain OPTIONS gets the app's 405
        return method == "POST" and (self._any_origin or origin in self._origins)

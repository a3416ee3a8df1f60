"""Fetching a photo from a caller's ``url`` without letting it reach the operator's own network.

For every hop (the first request and each redirect):
1. http or https only.
2. The host is resolved once. IP literals in any spelling the C resolver accepts (``2130706433``,
   ``0x7f.1``, ``127.1``, ``[::ffff:127.0.0.1]``) are normalised with ``socket.inet_aton`` /
   ``ipaddress`` rules first. If ANY resolved address is loopback, private, link-local,
   multicast, reserved, unspecified or otherwise not globally routable, the url is refused —
   unless ``host`` or ``host:port`` is on the operator's allow list (``IDCARD_URL_ALLOW_HOSTS``).
   The list is matched against the host as the url writes it, IP literals in any spelling;
   ``localhost``, ``127.0.0.1`` and ``::1`` are one entry (this machine), so an operator who lists
   either reaches the same server. The refusal is logged with the setting's name (the caller
   only learns that the address is internal).
3. The connection goes to the checked address itself, with the original ``Host`` header and TLS
   server name, so a second DNS answer can never swap in another address (no rebinding window).
   When it cannot connect, the next checked address is tried (``localhost`` is often ::1 first).
4. No proxies from the environment, no cookies, no automatic redirects: at most
   ``max_redirects`` hops, each checked again from step 1.
The whole fetch has one deadline (``url_timeout_s``, not per read), and reading stops as soon as
the body passes ``max_bytes`` whatever Content-Length claimed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable

import httpx

from idcard_ocr.api.envelope import MSG_IMAGE_SIZE, ApiError

MSG_URL_SCHEME = "参数错误: url 只支持 http 和 https"
MSG_URL_INVALID = "参数错误: url 格式不正确"
MSG_URL_FORBIDDEN = "参数错误: url 指向内网或保留地址"
MSG_URL_UNREACHABLE = "参数错误: url 无法访问"
MSG_URL_REDIRECTS = "参数错误: url 重定向次数过多"
MSG_URL_TIMEOUT = "参数错误: url 下载超时"

log = logging.getLogger("idcard_ocr.api")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AllowEntry = tuple[str, int | None]  # (host key, port or None for any port)
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host names by itself (any C-resolver spelling of IPv4), or None for a name."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(c in "0123456789abcdefxABCDEFX." for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def is_public_address(address: IPAddress) -> bool:
    """True only for globally routable unicast addresses (IPv4 embedded in IPv6 checked too)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in _NAT64_PREFIX:  # a NAT64 gateway would reach this IPv4
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def address_kind(address: IPAddress) -> str:
    """What kind of non-public address this is, in the words an operator looks for."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # Checked in this order: Python counts loopback, 0.0.0.0 and link-local addresses as private too.
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    return "not globally routable"


# Names for this machine's loopback that an operator uses interchangeably.
LOOPBACK_KEY = "localhost"
_LOOPBACK_SPELLINGS = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})


def host_key(host: str) -> str:
    """One spelling per host for the allow list: lower case, IP literals normalised, and
    ``localhost`` / ``127.0.0.1`` / ``::1`` (in any spelling) as ``localhost``."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == LOOPBACK_KEY:
        return LOOPBACK_KEY
    address = parse_ip_literal(name)
    if address is None:
        return name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return LOOPBACK_KEY if address in _LOOPBACK_SPELLINGS else str(address)


def parse_allow_entry(entry: str) -> AllowEntry | None:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 address; None when the
    port is not a number (such an entry allows nothing rather than every port)."""
    text = entry.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else rest
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a name, an IPv4 address, or an IPv6 address without brackets
        host, port = text, ""
    if not host or (port and not (port.isascii() and port.isdigit())):
        return None
    return host_key(host), int(port) if port else None


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for ``host``."""
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class UrlFetcher:
    """Downloads caller-supplied photo urls under the rules in the module docstring."""

    def __init__(
        self,
        *,
        allow_hosts: frozenset[str],
        timeout_s: float,
        max_redirects: int,
        max_bytes: int,
        resolver: Resolver = resolve_host,
    ) -> None:
        self._allow = frozenset(e for e in map(parse_allow_entry, allow_hosts) if e is not None)
        self._timeout_s = timeout_s
        self._max_redirects = max_redirects
        self._max_bytes = max_bytes
        self._resolve = resolver
        self._ssl_context: ssl.SSLContext | None = None

    async def fetch(self, url: str) -> bytes:
        """The photo bytes at ``url``; raises 400 ApiError with a message that says what failed."""
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._follow(url)
        except TimeoutError:
            raise ApiError(400, MSG_URL_TIMEOUT) from None

    async def _follow(self, url: str) -> bytes:
        current = self._parse(url)
        # A fresh transport per fetch: pooled connections are keyed by IP and must not be reused
        # for another host name behind the same address.
        async with httpx.AsyncHTTPTransport(verify=self._tls(), retries=0, trust_env=False) as transport:
            for _hop in range(self._max_redirects + 1):
                response = await self._request(transport, current)
                try:
                    if response.status_code in _REDIRECT_CODES and "location" in response.headers:
                        current = self._redirect_target(current, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise ApiError(400, f"{MSG_URL_UNREACHABLE} (HTTP {response.status_code})")
                    return await self._read_capped(response)
                finally:
                    await response.aclose()
        raise ApiError(400, MSG_URL_REDIRECTS)

    def _parse(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError, ValueError):
            raise ApiError(400, MSG_URL_INVALID) from None
        if parsed.scheme not in _DEFAULT_PORTS:
            raise ApiError(400, MSG_URL_SCHEME)
        if not parsed.host:
            raise ApiError(400, MSG_URL_INVALID)
        return parsed

    def _redirect_target(self, current: httpx.URL, location: str) -> httpx.URL:
        try:
            # A server may answer with any Location; one httpx cannot parse is the server's fault.
            joined = str(current.join(location))
        except (httpx.InvalidURL, TypeError, ValueError):
            raise ApiError(400, MSG_URL_INVALID) from None
        return self._parse(joined)

    def _is_allowed(self, host: str, port: int) -> bool:
        key = host_key(host)
        return (key, None) in self._allow or (key, port) in self._allow

    async def _checked_addresses(self, url: httpx.URL) -> list[IPAddress]:
        port = url.port or _DEFAULT_PORTS[url.scheme]
        try:
            addresses = await self._resolve(url.host, port)
        except (OSError, UnicodeError):
            raise ApiError(400, MSG_URL_UNREACHABLE) from None
        if not addresses:
            raise ApiError(400, MSG_URL_UNREACHABLE)
        internal = [a for a in addresses if not is_public_address(a)]
        if internal and not self._is_allowed(url.host, port):
            # The caller is told only that the address is internal; the operator, how to allow it.
            log.warning(
                "url refused: its host resolves to a %s address; to let url input reach it, list "
                "the host or host:port in IDCARD_URL_ALLOW_HOSTS",
                address_kind(internal[0]),
            )
            raise ApiError(400, MSG_URL_FORBIDDEN)
        return addresses

    async def _request(self, transport: httpx.AsyncHTTPTransport, url: httpx.URL) -> httpx.Response:
        extensions: dict[str, object] = {
            "timeout": dict.fromkeys(("connect", "read", "write", "pool"), self._timeout_s)
        }
        if url.scheme == "https":
            extensions["sni_hostname"] = url.host
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Accept": "image/*",
            "Accept-Encoding": "identity",
            "User-Agent": "idcard-ocr",
        }
        addresses = await self._checked_addresses(url)
        # Every address passed the check, so each may be tried: ``localhost`` often resolves to
        # ::1 first while the server listens on 127.0.0.1 only.
        for address in addresses:
            target = url.copy_with(host=str(address))
            try:
                return await transport.handle_async_request(
                    httpx.Request("GET", target, headers=headers, extensions=extensions)
                )
            except httpx.ConnectError:
                continue
            except httpx.HTTPError:
                break
        raise ApiError(400, MSG_URL_UNREACHABLE)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ApiError(400, MSG_IMAGE_SIZE)
        if response.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
            # We asked for identity; a compressed body could inflate past any limit.
            raise ApiError(400, MSG_URL_UNREACHABLE)
        chunks: list[bytes] = []
        total = 0
        try:
            async for chunk in response.aiter_raw():
                total += len(chunk)
                if total > self._max_bytes:  # also when Content-Length understated the body
                    raise ApiError(400, MSG_IMAGE_SIZE)
                chunks.append(chunk)
        except httpx.HTTPError:
            raise ApiError(400, MSG_URL_UNREACHABLE) from None
        return b"".join(chunks)

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

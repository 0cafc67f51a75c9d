"""The HTTP client of `web_fetch`: every TCP connection goes to an address that
`agents.tools.ssrf` checked a moment before, in the same call.

Why a network backend and not a check before the request: a name checked first and then
resolved again by the HTTP library can answer differently the second time (DNS rebinding:
a public address for the check, 127.0.0.1 for the connection). Here httpcore asks this
backend for a connection to `host:port`; the backend resolves the name once, refuses if
any address is not public, and opens the socket to the checked address itself. The request
keeps the URL's host, so the Host header, TLS SNI and certificate verification still name
the host (httpcore takes them from the URL, not from the socket). Redirects are separate
requests (followed by `web_fetch`), so each hop passes through here too. Proxies from the
environment are ignored (`trust_env=False`): a proxy would resolve the name itself.

Imported only when a web tool first runs (httpx and httpcore are not loaded at start-up).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpcore
import httpx

from agents.providers.clients import cached
from agents.tools.ssrf import Resolver, checked_addresses

USER_AGENT = "Mozilla/5.0 (compatible; Epiloop web_fetch)"
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        allow_private: bool,
        resolve: Resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolve = resolve
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(
            host, port, allow_private=self.allow_private, resolve=self.resolve
        )
        failure: Exception | None = None
        for ip in addresses:  # like a browser: the next address when one does not answer
            try:
                return await self.inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.UnsupportedProtocol("web_fetch connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, backend: PinnedBackend, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx builds its pool without a way to pass a network backend; the pool it built
        # has opened nothing yet, so it is replaced by the same pool over our backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=backend,
        )


class WebClient:
    """An `httpx.AsyncClient` with the `close()` the per-loop client cache expects."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def close(self) -> None:
        await self.http.aclose()


def _no_cookies() -> CookieJar:
    # One client serves every agent and session: a cookie set for one must not be sent for
    # another, so none is kept at all.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def fetch_client(
    allow_private: bool,
    resolve: Resolver,
    inner: httpcore.AsyncNetworkBackend | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """The running loop's client for this policy (made on first use, closed with the
    provider clients by `agents.providers.clients.close_all`). `inner` and `ssl_context`
    are for tests (a pretend network, a test CA); by default the system's and certifi's."""

    def make() -> WebClient:
        backend = PinnedBackend(allow_private, resolve, inner)
        return WebClient(
            httpx.AsyncClient(
                transport=PinnedTransport(backend, ssl_context),
                follow_redirects=False,
                trust_env=False,
                cookies=_no_cookies(),
                headers={"User-Agent": USER_AGENT},
            )
        )

    return cached(("web_fetch", allow_private, resolve, inner, ssl_context), make).http


def api_client() -> httpx.AsyncClient:
    """The running loop's client for search APIs (operator-configured hosts: no guard)."""

    def make() -> WebClient:
        return WebClient(httpx.AsyncClient(trust_env=False, cookies=_no_cookies()))

    return cached(("web_search",), make).http

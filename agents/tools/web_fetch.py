"""`web_fetch`: read a web page (its main text), a text file or a JSON document by URL.

Guarded against server-side request forgery (`agents.tools.ssrf`, `agents.tools.pinned`);
capped in bytes read, seconds spent and characters returned (`tools.web.fetch.*`).
httpx, httpcore and trafilatura are imported on the first call, not with this module.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agents.tools.base import ToolContext, ToolError
from agents.tools.ssrf import Resolver, system_resolve
from config.jsontypes import JsonObject
from config.schema_tools import WebFetchConfig

if TYPE_CHECKING:
    import httpcore
    import httpx

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes
    capped: bool  # stopped reading at maxBytes


class WebFetch:
    name = "web_fetch"
    group = "web"
    description = (
        "Fetch a URL (http or https) and return its readable text: the main content of an "
        "HTML page as Markdown, or a text/JSON body as is. Use it to read a page found "
        "with web_search or given by the user."
    )

    def __init__(
        self,
        resolve: Resolver = system_resolve,
        network: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        # Tests inject a resolver that knows `public.test`, a network that routes its
        # "public" address to a loopback server, and a context that trusts a test CA; the
        # gateway uses the system's resolver and network and certifi's CAs.
        self.resolve = resolve
        self.network = network
        self.ssl_context = ssl_context

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {
                "url": {"type": "string", "description": "http:// or https:// URL"},
                "maxChars": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "return at most this many characters (default and "
                    "upper bound: the gateway's tools.web.fetch.maxChars)",
                },
            },
            "required": ["url"],
            "additionalProperties": False,
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        cfg = ctx.config.tools.web.fetch
        if not cfg.enabled:
            raise ToolError("web_fetch is turned off (tools.web.fetch.enabled is false)")
        url = args.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ToolError("url is required: an http:// or https:// URL")
        limit = _max_chars(args.get("maxChars"), cfg.max_chars)
        try:
            async with asyncio.timeout(cfg.timeout_seconds):
                fetched = await self.fetch(url.strip(), cfg)
                text = await _readable(fetched)
        except TimeoutError:
            raise ToolError(
                f"timed out after {cfg.timeout_seconds} s fetching {url} "
                "(tools.web.fetch.timeoutSeconds)"
            ) from None
        return _render(fetched, text, limit, cfg)

    async def fetch(self, url: str, cfg: WebFetchConfig) -> Fetched:
        """GET `url`, following up to MAX_REDIRECTS redirects one by one (each hop is a new
        request through the guarded client), and read at most maxBytes of the body."""
        import httpx

        from agents.tools.pinned import fetch_client
        from agents.tools.readable import kind

        client = fetch_client(
            cfg.allow_private_network, self.resolve, self.network, self.ssl_context
        )
        target = _http_url(url)
        for hop in range(MAX_REDIRECTS + 1):
            try:
                async with client.stream("GET", target, timeout=cfg.timeout_seconds) as resp:
                    location = resp.headers.get("location")
                    if resp.status_code in REDIRECTS and location:
                        if hop == MAX_REDIRECTS:
                            raise ToolError(
                                f"refused: more than {MAX_REDIRECTS} redirects from {url}"
                            )
                        target = _http_url(location, base=resp.url)
                        continue
                    if resp.status_code >= 400:
                        raise ToolError(
                            f"{resp.url} answered HTTP {resp.status_code} {resp.reason_phrase}"
                        )
                    content_type = resp.headers.get("content-type", "")
                    body, capped = await _read_capped(resp, cfg.max_bytes)
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.HTTPError as exc:
                raise ToolError(f"could not fetch {target}: {exc or type(exc).__name__}") from None
            if kind(content_type, body) is None:
                raise ToolError(
                    f"refused: {resp.url} is {content_type or 'binary'}, not text "
                    "(web_fetch reads HTML, text and JSON)"
                )
            return Fetched(str(resp.url), content_type, resp.charset_encoding, body, capped)
        raise AssertionError("unreachable: the loop returns or raises")


def _max_chars(asked: object, ceiling: int) -> int:
    if asked is None:
        return ceiling
    if isinstance(asked, bool) or not isinstance(asked, int) or asked < 1:
        raise ToolError("maxChars must be a positive integer")
    return min(asked, ceiling)


def _http_url(url: str, base: httpx.URL | None = None) -> httpx.URL:
    """`url` (a redirect's Location is resolved against `base`), http or https only."""
    import httpx

    try:
        parsed = base.join(url) if base is not None else httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ToolError(f"not a valid URL: {url} ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise ToolError(f"refused: {parsed} is not an http:// or https:// URL")
    if not parsed.host:
        raise ToolError(f"not a valid URL: {url} (no host)")
    return parsed


async def _read_capped(resp: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """The body up to max_bytes (decompressed), and whether more was left unread: the rest
    is never downloaded, whatever Content-Length says."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        room = max_bytes - size
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


async def _readable(fetched: Fetched) -> tuple[str, str]:
    """(title, text) of the body."""
    from agents.tools import readable

    if readable.kind(fetched.content_type, fetched.body) == "html":
        text = await asyncio.to_thread(
            readable.html_text, fetched.body, fetched.charset, fetched.url
        )
        return readable.title(fetched.body), text
    return "", readable.decode(fetched.body, fetched.charset)


def _render(fetched: Fetched, title_text: tuple[str, str], limit: int, cfg: WebFetchConfig) -> str:
    title, text = title_text
    head = [f"URL: {fetched.url}"]
    if title:
        head.append(f"Title: {title}")
    if fetched.capped:
        head.append(
            f"Note: only the first {cfg.max_bytes} bytes were read (tools.web.fetch.maxBytes)"
        )
    if len(text) > limit:
        more = (
            f"ask again with maxChars up to {cfg.max_chars} for more"
            if limit < cfg.max_chars
            else "tools.web.fetch.maxChars is the limit"
        )
        text = text[:limit] + f"\n\n[truncated: {limit} of {len(text)} characters shown; {more}]"
    return "\n".join(head) + "\n\n" + (text or "(no text)")

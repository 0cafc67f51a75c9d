"""`web_search`: search the web through a search API (`tools.web.search.provider`).

Providers are one module each (`agents/tools/search_<name>.py`, a `search(client, query)`
function) found through PROVIDERS; httpx is imported with the provider, on the first call.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings

from agents.tools.base import ToolContext, ToolError
from config.jsontypes import JsonObject
from config.schema_base import SecretRef
from config.schema_tools import WebSearchConfig
from config.secrets import register_secret

if TYPE_CHECKING:
    import httpx

MAX_COUNT = 20  # Brave's limit per request; more results are rarely read anyway


@dataclass(frozen=True)
class Result:
    title: str
    url: str
    snippet: str


@dataclass(frozen=True)
class Query:
    text: str
    count: int
    key: str
    base_url: str
    timeout: float


@dataclass(frozen=True)
class Provider:
    label: str
    module: str  # has `async def search(client: httpx.AsyncClient, query: Query)`
    default_base: str | None  # None: the operator must set baseUrl (a self-hosted service)
    key_env: str | None  # environment variable read when apiKey is not set
    needs_key: bool


PROVIDERS: dict[str, Provider] = {
    "brave": Provider(
        "Brave Search",
        "agents.tools.search_brave",
        "https://api.search.brave.com",
        "BRAVE_API_KEY",
        True,
    ),
    "searxng": Provider("SearXNG", "agents.tools.search_searxng", None, None, False),
}
DEFAULT_PROVIDER = "brave"

Search = Callable[["httpx.AsyncClient", Query], Awaitable[list[Result]]]


def status_error(status: int, provider: Provider) -> ToolError | None:
    """The one-line error for an HTTP status a search API answered, None for success."""
    if status < 400:
        return None
    if status == 429:
        return ToolError(f"rate limited by {provider.label} (HTTP 429): try again later")
    if status in (401, 403) and provider.needs_key:
        where = f" or {provider.key_env}" if provider.key_env else ""
        return ToolError(
            f"{provider.label} refused the API key (HTTP {status}): "
            f"check tools.web.search.apiKey{where}"
        )
    return ToolError(f"{provider.label} answered HTTP {status}")


class WebSearch:
    name = "web_search"
    group = "web"
    description = (
        "Search the web. Returns a numbered list of results (title, URL, snippet); "
        "read a result with web_fetch."
    )

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "what to search for"},
                "count": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_COUNT,
                    "description": "how many results (default and upper bound: the "
                    "gateway's tools.web.search.maxResults)",
                },
            },
            "required": ["query"],
            "additionalProperties": False,
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        import httpx

        from agents.tools.pinned import api_client

        cfg = ctx.config.tools.web.search
        if not cfg.enabled:
            raise ToolError("web_search is turned off (tools.web.search.enabled is false)")
        text = args.get("query")
        if not isinstance(text, str) or not text.strip():
            raise ToolError("query is required: the words to search for")
        name = (cfg.provider or DEFAULT_PROVIDER).lower()
        provider = PROVIDERS.get(name)
        if provider is None:
            raise ToolError(
                f"unknown search provider {name!r} (tools.web.search.provider): "
                f"use one of {', '.join(sorted(PROVIDERS))}"
            )
        query = Query(
            text.strip(),
            _count(args.get("count"), cfg.max_results),
            _key(cfg, provider),
            _base_url(cfg, provider),
            float(cfg.timeout_seconds),
        )
        search = cast(Search, importlib.import_module(provider.module).search)
        try:
            async with asyncio.timeout(cfg.timeout_seconds):
                results = await search(api_client(), query)
        except (TimeoutError, httpx.TimeoutException):
            raise ToolError(
                f"{provider.label} did not answer within {cfg.timeout_seconds} s "
                "(tools.web.search.timeoutSeconds)"
            ) from None
        except httpx.HTTPError as exc:
            raise ToolError(
                f"could not reach {provider.label} at {query.base_url}: {exc or type(exc).__name__}"
            ) from None
        return render(query.text, provider, results[: query.count])


def _count(asked: object, configured: int) -> int:
    ceiling = max(1, min(configured, MAX_COUNT))
    if asked is None:
        return ceiling
    if isinstance(asked, bool) or not isinstance(asked, int) or asked < 1:
        raise ToolError("count must be a positive integer")
    return min(asked, ceiling)


def _key(cfg: WebSearchConfig, provider: Provider) -> str:
    """`apiKey` (a string, or a SecretRef with source env), else the provider's environment
    variable. Other SecretRef sources (file, exec) are not read by this tool."""
    value = cfg.api_key
    key = ""
    if isinstance(value, str):
        key = value
    elif isinstance(value, SecretRef):
        if value.source != "env" or not value.id:
            raise ToolError(
                "tools.web.search.apiKey: only a string, a ${VAR} reference or "
                '{"source": "env", "id": "VAR"} is supported here'
            )
        key = str(settings.EPILOOP_ENVIRON.get(value.id.lstrip("/")) or "")
    if not key and provider.key_env:
        key = str(settings.EPILOOP_ENVIRON.get(provider.key_env) or "")
    if not key and provider.needs_key:
        env = f" or the {provider.key_env} environment variable" if provider.key_env else ""
        raise ToolError(f"no API key for {provider.label}: set tools.web.search.apiKey{env}")
    register_secret(key)
    return key


def _base_url(cfg: WebSearchConfig, provider: Provider) -> str:
    base = cfg.base_url or provider.default_base
    if not base:
        raise ToolError(
            f"{provider.label} needs tools.web.search.baseUrl (the URL of your instance)"
        )
    return base.rstrip("/")


def render(text: str, provider: Provider, results: list[Result]) -> str:
    if not results:
        return f'No results for "{text}" ({provider.label}).'
    lines = [f'Results for "{text}" ({provider.label}):']
    for number, result in enumerate(results, 1):
        lines += ["", f"{number}. {result.title or result.url}", f"   {result.url}"]
        if result.snippet:
            lines.append(f"   {result.snippet}")
    return "\n".join(lines)

"""SearXNG (self-hosted metasearch): `GET {base}/search?q=&format=json`. The instance must
list `json` under `search.formats` in its settings.yml, or it answers 403."""

from __future__ import annotations

import httpx

from agents.tools.base import ToolError
from agents.tools.search_brave import plain
from agents.tools.web_search import PROVIDERS, Query, Result, status_error


async def search(client: httpx.AsyncClient, query: Query) -> list[Result]:
    headers = {"Accept": "application/json"}
    if query.key:  # an instance behind a proxy that wants a token
        headers["Authorization"] = f"Bearer {query.key}"
    resp = await client.get(
        f"{query.base_url}/search",
        params={"q": query.text, "format": "json"},
        headers=headers,
        timeout=query.timeout,
    )
    if resp.status_code == 403:
        raise ToolError(
            "SearXNG refused JSON output (HTTP 403): add json to search.formats in the "
            "instance's settings.yml"
        )
    error = status_error(resp.status_code, PROVIDERS["searxng"])
    if error is not None:
        raise error
    try:
        items = resp.json().get("results", [])
    except (ValueError, AttributeError):
        raise ToolError("SearXNG answered something that is not its JSON") from None
    return [
        Result(plain(item.get("title")), str(item.get("url") or ""), plain(item.get("content")))
        for item in items[: query.count]
        if isinstance(item, dict) and item.get("url")
    ]

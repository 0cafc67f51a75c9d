"""Brave Search API: `GET {base}/res/v1/web/search?q=&count=`, key in X-Subscription-Token."""

from __future__ import annotations

import html
import re

import httpx

from agents.tools.base import ToolError
from agents.tools.web_search import PROVIDERS, Query, Result, status_error

_TAGS = re.compile(r"<[^>]+>")  # Brave marks matches with <strong> in titles and snippets


def plain(text: object) -> str:
    return " ".join(html.unescape(_TAGS.sub("", str(text or ""))).split())


async def search(client: httpx.AsyncClient, query: Query) -> list[Result]:
    resp = await client.get(
        f"{query.base_url}/res/v1/web/search",
        params={"q": query.text, "count": query.count},
        headers={"Accept": "application/json", "X-Subscription-Token": query.key},
        timeout=query.timeout,
    )
    error = status_error(resp.status_code, PROVIDERS["brave"])
    if error is not None:
        raise error
    try:
        items = resp.json().get("web", {}).get("results", [])
    except (ValueError, AttributeError):
        raise ToolError("Brave Search answered something that is not its JSON") from None
    return [
        Result(plain(item.get("title")), str(item.get("url") or ""), plain(item.get("description")))
        for item in items
        if isinstance(item, dict) and item.get("url")
    ]

"""Fake search APIs: Brave (`GET /res/v1/web/search`, key in X-Subscription-Token) and
SearXNG (`GET /search?format=json`), each a loopback server answering from `results`."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tests.fakes.web.server import LoopbackServer

RESULTS = [
    (
        "Tides - <strong>Encyclopedia</strong>",
        "https://tides.example/tides",
        "How <strong>tides</strong> work &amp; why",
    ),
    ("Tide tables", "https://tides.example/tables", "High and low water times"),
    ("Spring and neap tides", "https://tides.example/spring", "The moon and the sun"),
]


class FakeSearchApi(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.status = 200  # answer every request with this status when not 200
        self.delay = 0.0  # seconds before answering
        self.results = list(RESULTS)

    def reset(self) -> None:
        super().reset()
        self.status = 200
        self.delay = 0.0
        self.results = list(RESULTS)

    async def pause(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)


class FakeBrave(FakeSearchApi):
    key = "brave-test-key-123"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/res/v1/web/search", self.search)

    async def search(self, request: web.Request) -> web.Response:
        self.seen(request)
        await self.pause()
        if request.headers.get("X-Subscription-Token") != self.key:
            return web.json_response({"type": "ErrorResponse"}, status=401)
        if self.status != 200:
            return web.json_response({"type": "ErrorResponse"}, status=self.status)
        count = int(request.query.get("count", "20"))
        items = [{"title": t, "url": u, "description": d} for t, u, d in self.results[:count]]
        return web.json_response({"type": "search", "web": {"type": "search", "results": items}})


class FakeSearxng(FakeSearchApi):
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/search", self.search)

    async def search(self, request: web.Request) -> web.Response:
        self.seen(request)
        await self.pause()
        if request.query.get("format") != "json":
            return web.Response(text="<html>results</html>", content_type="text/html")
        if self.status != 200:
            return web.Response(status=self.status, text="Forbidden")
        items = [{"title": t, "url": u, "content": d, "engine": "fake"} for t, u, d in self.results]
        return web.json_response({"query": request.query.get("q"), "results": items})

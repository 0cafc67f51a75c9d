"""A small web site for `web_fetch`: an article page, text, JSON, an image, a big body, a
slow body, redirects and errors."""

from __future__ import annotations

import asyncio
import ssl

from aiohttp import web

from tests.fakes.web.server import LoopbackServer

ARTICLE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Tide tables &amp; more</title>
<script>var tracking = "do not show me";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/about">About</a> | <a href="/shop">Shop</a></nav>
<article>
<h1>How the tides work</h1>
<p>The moon pulls the oceans toward it, and the water on the far side bulges too, so most
coasts see two high tides a day. The sun adds its own smaller pull.</p>
<p>When the sun and the moon line up, at new and full moon, their pulls add up and the
tides run higher: these are the spring tides. At the quarters they work against each other,
and the neap tides are weaker.</p>
<h2>Reading a tide table</h2>
<ul><li>High water times</li><li>Low water times</li><li>Heights above chart datum</li></ul>
</article>
<footer>Copyright 2026 Tide Facts. Cookie settings.</footer>
</body></html>
"""
BIG_CHUNK = b"x" * 65536
BIG_CHUNKS = 48  # 3 MiB


class FakeSite(LoopbackServer):
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(ssl_context)
        self.big_chunks_sent = 0

    def reset(self) -> None:
        super().reset()
        self.big_chunks_sent = 0

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/article", self.article)
        app.router.add_get("/notes.txt", self.text)
        app.router.add_get("/data.json", self.json)
        app.router.add_get("/image.png", self.image)
        app.router.add_get("/big", self.big)
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/redirect", self.redirect)
        app.router.add_get("/hop/{n}", self.hop)
        app.router.add_get("/gone", self.gone)

    async def article(self, request: web.Request) -> web.Response:
        self.seen(request)
        return web.Response(text=ARTICLE, content_type="text/html", charset="utf-8")

    async def text(self, request: web.Request) -> web.Response:
        self.seen(request)
        return web.Response(text="line one\nline two\n", content_type="text/plain")

    async def json(self, request: web.Request) -> web.Response:
        self.seen(request)
        return web.json_response({"station": "Brest", "heights": [6.1, 1.2]})

    async def image(self, request: web.Request) -> web.Response:
        self.seen(request)
        return web.Response(body=b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")

    async def big(self, request: web.Request) -> web.StreamResponse:
        self.seen(request)
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        try:
            for _ in range(BIG_CHUNKS):
                await response.write(BIG_CHUNK)
                self.big_chunks_sent += 1
        except (ConnectionResetError, asyncio.CancelledError):
            return response  # the client stopped reading, as it should
        await response.write_eof()
        return response

    async def slow(self, request: web.Request) -> web.StreamResponse:
        """Headers at once, then a byte every 0.2 s for 20 s: each read is quick, the whole
        body is not."""
        self.seen(request)
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        try:
            for _ in range(100):
                await response.write(b"z")
                await asyncio.sleep(0.2)
        except (ConnectionResetError, asyncio.CancelledError):
            return response
        await response.write_eof()
        return response

    async def redirect(self, request: web.Request) -> web.Response:
        self.seen(request)
        raise web.HTTPFound(request.query["to"])

    async def hop(self, request: web.Request) -> web.Response:
        self.seen(request)
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/hop/{n + 1}")  # a relative Location, resolved by the client

    async def gone(self, request: web.Request) -> web.Response:
        self.seen(request)
        return web.Response(status=404, text="no such page")

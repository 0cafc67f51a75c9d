"""Base of the web fakes: a real aiohttp server on 127.0.0.1 in its own thread and loop,
recording what it was asked."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from typing import TypeVar

from aiohttp import web

from tests.fakes.loopthread import LoopThread

S = TypeVar("S", bound="LoopbackServer")


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class LoopbackServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.ssl_context = ssl_context  # serve HTTPS with this
        self.requests: list[Seen] = []
        self.port = 0
        self._lock = threading.Lock()
        self._thread = LoopThread(f"fake-{type(self).__name__}")
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def seen(self, request: web.Request) -> None:
        with self._lock:
            self.requests.append(Seen(request.path, dict(request.query), dict(request.headers)))

    def start(self: S) -> S:
        self._thread.start(self._serve)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        self._thread.stop(shutdown)

    async def _serve(self) -> None:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context).start()
        self.port = self._runner.addresses[0][1]

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

"""Base of the fake model servers: a real aiohttp server on 127.0.0.1 in its own thread and
event loop, answering from a per-test script.

Shared by the Anthropic and OpenAI fakes. The test API is synchronous:

    fake.script(text="Hi", chunks=["H", "i"], delay=0.2)      # next request gets this
    fake.script(model="claude-opus-4-5", status=429)          # next request for that model
    fake.script(text="", tool_calls=[{"name": "read", "input": {"path": "a.txt"}}])
                                  # tool calls ("arguments": raw text for malformed JSON)
    fake.default = Step(text="...")                           # when nothing is scripted
    fake.requests                                             # what the clients sent
    fake.max_in_flight                                        # highest concurrent requests
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from tests.fakes.loopthread import LoopThread

S = TypeVar("S", bound="FakeModelServer")


@dataclass
class Step:
    text: str = "Hello from the fake model."
    chunks: list[str] | None = None  # streamed pieces (default: the text split in words)
    delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between streamed pieces
    status: int = 200
    error_type: str = ""  # provider error type/code in error bodies and error events
    error_message: str = "scripted failure"
    error_body: Any = None  # the whole body of an error response, verbatim
    usage: tuple[int, int] = (11, 7)  # tokens in, tokens out
    drop_after: int | None = None  # close the connection after this many pieces
    error_event_after: int | None = None  # send an error event after this many pieces
    model: str | None = None  # answer only requests for this model
    key: str | None = None  # answer only requests made with this API key
    # Tool calls after the text: {"name", "input"} or {"name", "arguments": raw JSON text},
    # optional "id". Streamed arguments arrive in two pieces.
    tool_calls: list[dict[str, Any]] | None = None

    def calls(self) -> list[tuple[str, str, str]]:
        """(id, name, arguments as JSON text) of each scripted tool call."""
        out = []
        for i, call in enumerate(self.tool_calls or []):
            raw = call.get("arguments")
            if raw is None:
                raw = json.dumps(call.get("input") or {})
            out.append((str(call.get("id") or f"toolu_{i}_{id(self) % 10000}"), call["name"], raw))
        return out

    @staticmethod
    def halves(raw: str) -> list[str]:
        mid = len(raw) // 2
        return [p for p in (raw[:mid], raw[mid:]) if p]

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return self.chunks
        if not self.text:
            return []
        words = self.text.split(" ")
        return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    api_key: str = ""
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # time the fake spent answering (its "model time")


class FakeModelServer:
    def __init__(self) -> None:
        self.default = Step()
        self.steps: list[Step] = []
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.models: list[str] = ["fake-model"]
        self.required_key: str | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner_thread = LoopThread(f"fake-{type(self).__name__}")
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- test API -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, **kwargs: Any) -> Step:
        step = Step(**kwargs)
        with self._lock:
            self.steps.append(step)
        return step

    def reset(self) -> None:
        with self._lock:
            self.steps.clear()
            self.requests.clear()
            self.in_flight = 0
            self.max_in_flight = 0
            self.default = Step()
            self.required_key = None

    def models_requested(self) -> list[str]:
        return [r.model for r in self.requests]

    # -- lifecycle ------------------------------------------------------------------------

    def start(self: S) -> S:
        self._loop = self._runner_thread.start(self._serve)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        self._runner_thread.stop(shutdown)
        self._loop = None

    async def _serve(self) -> None:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    # -- for subclasses -------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def take(self, model: str, key: str = "") -> Step:
        with self._lock:
            for i, step in enumerate(self.steps):
                if step.model in (None, model) and step.key in (None, key):
                    return self.steps.pop(i)
        return self.default

    def key_of(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return request.headers.get("x-api-key", "")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        began = time.perf_counter()
        body = await request.json()
        model = str(body.get("model", ""))
        seen = Seen(request.path, dict(request.headers), body, self.key_of(request), model)
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.required_key is not None and seen.api_key != self.required_key:
                return self.error_response(Step(status=401, error_type="authentication_error"))
            step = self.take(model, seen.api_key)
            if step.delay:
                await asyncio.sleep(step.delay)
            if step.status != 200:
                return self.error_response(step)
            if body.get("stream"):
                return await self.stream_response(request, body, step)
            return self.json_response(model, step)
        finally:
            seen.seconds = time.perf_counter() - began
            with self._lock:
                self.in_flight -= 1

    def error_response(self, step: Step) -> web.Response:
        raise NotImplementedError

    def json_response(self, model: str, step: Step) -> web.Response:
        raise NotImplementedError

    async def stream_response(
        self, request: web.Request, body: dict[str, Any], step: Step
    ) -> web.StreamResponse:
        raise NotImplementedError

    @staticmethod
    async def open_sse(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        return response

    @staticmethod
    def drop(request: web.Request) -> None:
        """Cut the connection mid-stream, as a crashed upstream would."""
        if request.transport is not None:
            request.transport.abort()

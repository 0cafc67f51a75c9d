"""An asyncio loop in a daemon thread: how every fake server runs, so that in-process tests
and `rungateway` subprocesses can talk to it while the test drives it synchronously."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any


class LoopThread:
    def __init__(self, name: str) -> None:
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, setup: Callable[[], Awaitable[None]]) -> asyncio.AbstractEventLoop:
        """Run `setup()` (bind the server) on a new loop in a thread; return the loop."""
        ready = threading.Event()
        loop = self.loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(setup())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.name} did not start")
        return loop

    def call(self, coro: Awaitable[Any], timeout: float = 10) -> Any:
        """Run `coro` on the loop from the test's thread and return its result."""
        assert self.loop is not None, f"{self.name} is not running"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self, shutdown: Callable[[], Awaitable[None]]) -> None:
        """Run `shutdown()` on the loop, then stop the loop and its thread."""
        loop, thread = self.loop, self._thread
        if loop is None or thread is None:
            return
        self.call(shutdown())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        self.loop = None

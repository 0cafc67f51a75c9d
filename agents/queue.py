"""In-process run scheduling: one run at a time per session in arrival order, at most
`agents.defaults.maxConcurrent` runs at once in this process, and a bounded queue per
session (`messages.queue.cap`) beyond which the caller is told the session is busy.

State lives per event loop (the gateway has one; tests get a fresh one per test).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

log = logging.getLogger("epiloop.agent")


class Busy(Exception):
    """The session already has `cap` messages waiting."""


class Limiter:
    """A FIFO counting limiter whose limit may change between acquisitions."""

    def __init__(self) -> None:
        self.active = 0
        self.limit = 1
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self, limit: int) -> None:
        self.limit = limit
        if self.active < limit and not self.waiters:
            self.active += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the slot was handed to us just as we were cancelled
            else:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(fut)
            raise

    def release(self) -> None:
        self.active -= 1
        while self.waiters and self.active < self.limit:
            fut = self.waiters.popleft()
            if not fut.done():
                self.active += 1
                fut.set_result(None)


@dataclass
class SessionLane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0
    running: bool = False


class Scheduler:
    def __init__(self) -> None:
        self.lanes: dict[str, SessionLane] = {}
        self.limiter = Limiter()

    @contextlib.asynccontextmanager
    async def session(self, key: str, cap: int) -> AsyncIterator[None]:
        """Hold the session's turn; raise `Busy` (without waiting) when `cap` are queued.

        Callers must enter this before their first `await` so arrival order is kept."""
        lane = self.lanes.get(key)
        if lane is None:
            lane = self.lanes[key] = SessionLane()
        if (lane.running or lane.lock.locked()) and lane.waiting >= cap:
            raise Busy(key)
        lane.waiting += 1
        try:
            await lane.lock.acquire()
        finally:
            lane.waiting -= 1
        lane.running = True
        try:
            yield
        finally:
            lane.running = False
            lane.lock.release()
            if not lane.waiting and not lane.lock.locked():
                self.lanes.pop(key, None)

    @contextlib.asynccontextmanager
    async def slot(self, limit: int) -> AsyncIterator[None]:
        await self.limiter.acquire(limit)
        try:
            yield
        finally:
            self.limiter.release()

    def queued(self, key: str) -> int:
        lane = self.lanes.get(key)
        return lane.waiting if lane else 0


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Scheduler] = (
    weakref.WeakKeyDictionary()
)


def scheduler() -> Scheduler:
    loop = asyncio.get_running_loop()
    sched = _BY_LOOP.get(loop)
    if sched is None:
        sched = _BY_LOOP[loop] = Scheduler()
    return sched

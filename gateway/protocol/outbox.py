"""A bounded per-connection send buffer.

Frames go straight to the socket while the transport keeps up. When the client reads too
slowly, frames wait here; past `limit` bytes the droppable ones (ticks, chat deltas,
health/presence snapshots) are dropped first, oldest first, and if that is not enough the
connection is closed as a slow consumer. Memory per connection is therefore bounded by
`limit` plus the transport's own high-water mark.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable

SendText = Callable[[str], Awaitable[None]]
Backlog = Callable[[], int]


class Outbox:
    def __init__(
        self,
        send_text: SendText,
        backlog: Backlog,
        on_overflow: Callable[[], Awaitable[None]],
        *,
        limit: int = 1024 * 1024,
        high_water: int = 256 * 1024,
    ) -> None:
        self._send_text = send_text
        self._backlog = backlog
        self._on_overflow = on_overflow
        self.limit = limit
        self.high_water = high_water
        self._queue: collections.deque[tuple[str, bool]] = collections.deque()
        self._queued = 0
        self._writer: asyncio.Task[None] | None = None
        self.dropped = 0
        self.closed = False

    @property
    def queued_bytes(self) -> int:
        return self._queued

    async def push(self, text: str, *, droppable: bool = False) -> None:
        if self.closed:
            return
        if not self._queue and self._backlog() < self.high_water:
            await self._send_text(text)
            return
        self._queue.append((text, droppable))
        self._queued += len(text)
        if self._queued > self.limit:
            self._shed()
        if self._queued > self.limit:
            await self.overflow()
            return
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._drain())

    def _shed(self) -> None:
        kept: collections.deque[tuple[str, bool]] = collections.deque()
        for text, droppable in self._queue:
            if droppable and self._queued > self.limit:
                self._queued -= len(text)
                self.dropped += 1
            else:
                kept.append((text, droppable))
        self._queue = kept

    async def overflow(self) -> None:
        self.close()
        await self._on_overflow()

    def close(self) -> None:
        self.closed = True
        self._queue.clear()
        self._queued = 0
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()

    async def _drain(self) -> None:
        delay = 0.002
        while self._queue and not self.closed:
            if self._backlog() >= self.high_water:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)
                continue
            delay = 0.002
            text, _ = self._queue.popleft()
            self._queued -= len(text)
            await self._send_text(text)

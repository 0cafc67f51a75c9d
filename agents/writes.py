"""Recording finished turns off the reply path: one write per batch of turns that finish
while the previous write is under way (a group commit); a session's next turn waits for
its previous turn's write."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from asgiref.sync import sync_to_async

from agents import store

log = logging.getLogger("epiloop.agent")

_WRITES: set[asyncio.Future[None]] = set()


class _Writer:
    """Group commit: turns that finish while a write is under way go in the next one."""

    def __init__(self) -> None:
        self.pending: list[tuple[store.TurnRecord, asyncio.Future[None]]] = []
        self.task: asyncio.Future[None] | None = None

    def submit(self, record: store.TurnRecord) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((record, done))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())
        return done

    async def _run(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                await sync_to_async(store.record_turns)([record for record, _ in batch])
            except Exception:
                log.exception("recording %d turns failed", len(batch))
            for _, done in batch:
                if not done.done():
                    done.set_result(None)


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = (
    weakref.WeakKeyDictionary()
)


def write_then_release(
    record: store.TurnRecord, lane: contextlib.AbstractAsyncContextManager[object]
) -> asyncio.Future[None]:
    """Record the turn in the background, then let the session's next turn run."""
    task = asyncio.ensure_future(_write_then_release(record, lane))
    _WRITES.add(task)
    task.add_done_callback(_WRITES.discard)
    return task


async def _write_then_release(
    record: store.TurnRecord, lane: contextlib.AbstractAsyncContextManager[object]
) -> None:
    loop = asyncio.get_running_loop()
    writer = _WRITERS.get(loop)
    if writer is None:
        writer = _WRITERS[loop] = _Writer()
    try:
        await writer.submit(record)
    finally:
        await lane.__aexit__(None, None, None)


async def drain() -> None:
    """Wait until every turn of this loop is written to the database (tests, shutdown)."""
    loop = asyncio.get_running_loop()
    pending = [t for t in _WRITES if t.get_loop() is loop]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)

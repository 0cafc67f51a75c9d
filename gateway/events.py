"""The one way gateway events leave the process: `emit(event, payload)`.

Each event gets the next global `seq` (one counter per gateway process, assigned on the
event loop so that every client sees `seq` strictly increasing) and fans out through the
Channels layer group `GROUP`, which every authenticated WebSocket connection joins.
Events from other threads (sync code) are handed to the gateway's loop first.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any

from channels.layers import get_channel_layer

from gateway.protocol import frames

log = logging.getLogger("epiloop.gateway")

GROUP = "gateway.events"
# Events a slow client may miss without harm: the next one carries the whole state again.
DROPPABLE = frozenset({"tick", "health", "presence"})

_seq = itertools.count(1)
_loop: asyncio.AbstractEventLoop | None = None
_pending: set[asyncio.Task[Any]] = set()


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the gateway's event loop (the first WebSocket connection calls this)."""
    global _loop
    _loop = loop


def emit(event: str, payload: Any, *, droppable: bool | None = None) -> None:
    """Send `event` to every connected client. Safe from async code and from other threads."""
    drop = event in DROPPABLE if droppable is None else droppable
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None and (_loop is None or running is _loop):
        _emit_now(event, payload, drop)
    elif _loop is not None and not _loop.is_closed():
        _loop.call_soon_threadsafe(_emit_now, event, payload, drop)
    # No loop has ever served a client: nobody to tell.


def _emit_now(event: str, payload: Any, drop: bool) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    text = frames.event(event, payload, next(_seq))
    task = asyncio.ensure_future(
        layer.group_send(GROUP, {"type": "gateway.event", "text": text, "drop": drop})
    )
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def flush() -> None:
    """Wait until every emitted event has been handed to the connections (tests, shutdown)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)


async def broadcast_shutdown(reason: str) -> None:
    """Tell every client the gateway is stopping (rungateway calls this on SIGTERM)."""
    emit("shutdown", {"reason": reason, "ts": int(time.time() * 1000)}, droppable=False)
    await flush()
    # Give the connections a moment to write the frame before the sockets close.
    await asyncio.sleep(0.05)

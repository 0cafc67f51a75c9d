"""SDK clients cached per event loop and endpoint (connection reuse keeps turns fast).

Clients are bound to the loop that first used them; `close_all()` closes the running loop's.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[object, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def cached(key: tuple[object, ...], factory: Callable[[], Any]) -> Any:
    loop = asyncio.get_running_loop()
    clients = _BY_LOOP.setdefault(loop, {})
    client = clients.get(key)
    if client is None:
        client = clients[key] = factory()
    return client


async def close_all() -> None:
    """Close every SDK client of the running loop (tests and shutdown call this)."""
    clients = _BY_LOOP.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.close()

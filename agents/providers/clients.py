"""SDK clients cached per event loop and endpoint (connection reuse keeps turns fast).

Clients are bound to the loop that first used them; `close_all()` closes the running loop's.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Protocol, TypeVar, cast


class Client(Protocol):
    """What every SDK client has (`anthropic.AsyncAnthropic`, `openai.AsyncOpenAI`)."""

    async def close(self) -> None: ...


C = TypeVar("C", bound=Client)

_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[object, ...], Client]] = (
    weakref.WeakKeyDictionary()
)


def cached(key: tuple[object, ...], factory: Callable[[], C]) -> C:
    """The running loop's client for `key` (its first item names the SDK, so one key always
    holds the kind of client its factory makes), made by `factory` on first use."""
    loop = asyncio.get_running_loop()
    clients = _BY_LOOP.setdefault(loop, {})
    client = clients.get(key)
    if client is None:
        client = clients[key] = factory()
    return cast(C, client)


async def close_all() -> None:
    """Close every SDK client of the running loop (tests and shutdown call this)."""
    clients = _BY_LOOP.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.close()

"""One `tick` event for all clients every `interval_s()` seconds while anyone is connected."""

from __future__ import annotations

import asyncio
import time

from django.conf import settings

from gateway import events

_state: dict[str, object] = {"clients": 0, "task": None}
OVERRIDE_S: float | None = None  # tests set this; else settings.EPILOOP_TICK_INTERVAL_MS


def interval_s() -> float:
    if OVERRIDE_S is not None:
        return OVERRIDE_S
    return getattr(settings, "EPILOOP_TICK_INTERVAL_MS", 30000) / 1000


def interval_ms() -> int:
    return int(interval_s() * 1000)


def acquire() -> None:
    _state["clients"] = int(_state["clients"]) + 1  # type: ignore[call-overload]
    task = _state["task"]
    if task is None or task.done():  # type: ignore[attr-defined]
        _state["task"] = asyncio.ensure_future(_run())


def release() -> None:
    _state["clients"] = max(0, int(_state["clients"]) - 1)  # type: ignore[call-overload]


async def _run() -> None:
    while _state["clients"]:
        await asyncio.sleep(interval_s())
        if _state["clients"]:
            events.emit("tick", {"ts": int(time.time() * 1000)})
    _state["task"] = None

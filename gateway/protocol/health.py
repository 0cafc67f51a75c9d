"""The `health` payload (DESIGN §7), cached briefly: clients poll it and it reads the DB."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from asgiref.sync import sync_to_async

from gateway.protocol import agentsinfo, channelsinfo, sessionsinfo

CACHE_S = 1.0
_cache: dict[str, Any] = {"at": 0.0, "payload": None}


EVENT_DELAY_S = 1.0
_pending: dict[str, Any] = {"task": None}


def invalidate() -> None:
    """Sessions or channels changed: the next `health` is fresh, and clients get a
    `health` event (coalesced: at most one per EVENT_DELAY_S)."""
    _cache["at"] = 0.0
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a sync caller: the next read is fresh anyway
        return
    task = _pending["task"]
    if task is not None and not task.done() and task.get_loop() is loop:
        return
    _pending["task"] = loop.create_task(_announce())


async def _announce() -> None:
    from gateway import events

    await asyncio.sleep(EVENT_DELAY_S)
    events.emit("health", await health(fresh=True))


async def health(*, fresh: bool = False) -> dict[str, Any]:
    if not fresh and _cache["payload"] is not None and time.monotonic() - _cache["at"] < CACHE_S:
        return dict(_cache["payload"], ts=int(time.time() * 1000))
    started = time.perf_counter()
    sessions = await sync_to_async(sessionsinfo.recent_by_agent)()
    channels = channelsinfo.summaries()
    agents = []
    default_id = agentsinfo.default_agent_id()
    total = 0
    recent_all: list[dict[str, Any]] = []
    for agent in agentsinfo.agents():
        info = sessions.get(agent["id"], {"count": 0, "recent": []})
        total += info["count"]
        recent_all += info["recent"]
        agents.append(
            {
                "agentId": agent["id"],
                "name": agent["name"],
                "isDefault": agent["id"] == default_id,
                "sessions": info,
            }
        )
    for agent_id, info in sessions.items():
        if agent_id not in {a["agentId"] for a in agents}:
            total += info["count"]
            recent_all += info["recent"]
    recent_all.sort(key=lambda s: s["updatedAt"] or 0, reverse=True)
    payload = {
        "ok": True,
        "ts": int(time.time() * 1000),
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
        "channels": channels,
        "channelOrder": list(channels),
        "channelLabels": {name: channelsinfo.label(name) for name in channels},
        "heartbeatSeconds": 0,
        "defaultAgentId": default_id,
        "agents": agents,
        "sessions": {"count": total, "recent": recent_all[:10]},
    }
    _cache.update(at=time.monotonic(), payload=payload)
    return payload

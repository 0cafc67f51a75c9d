"""Who is connected: one presence entry per authenticated connection, plus the gateway."""

from __future__ import annotations

import asyncio
import platform
import socket
import time
from typing import Any

from django.conf import settings

STARTED = time.time()
SNAPSHOT_CAP = 64  # entries in hello-ok's snapshot; `system-presence` lists everyone
EVENT_CAP = 8  # entries per broadcast presence event (it goes to every client)
EVENT_INTERVAL_S = 1.0  # presence events are coalesced: at most one per interval
_entries: dict[str, dict[str, Any]] = {}
_version = {"presence": 0}


def now_ms() -> int:
    return int(time.time() * 1000)


def uptime_ms() -> int:
    from gateway.runtime import RUNTIME

    started = RUNTIME.started_at or STARTED
    return int((time.time() - started) * 1000)


def gateway_entry() -> dict[str, Any]:
    return {
        "instanceId": "gateway",
        "host": socket.gethostname(),
        "version": settings.VERSION,
        "platform": platform.system().lower(),
        "mode": "gateway",
        "reason": "self",
        "text": f"Epiloop gateway {settings.VERSION}",
        "ts": now_ms(),
    }


def add(conn_id: str, client: dict[str, Any], ip: str) -> None:
    _entries[conn_id] = {
        "instanceId": str(client.get("instanceId") or conn_id),
        "connId": conn_id,
        "host": str(client.get("displayName") or client.get("id") or "client"),
        "ip": ip,
        "version": str(client.get("version") or ""),
        "platform": str(client.get("platform") or ""),
        "mode": str(client.get("mode") or ""),
        "clientId": str(client.get("id") or ""),
        "roles": ["operator"],
        "reason": "connect",
        "ts": now_ms(),
    }
    _version["presence"] += 1


def remove(conn_id: str) -> bool:
    if _entries.pop(conn_id, None) is None:
        return False
    _version["presence"] += 1
    return True


def snapshot(cap: int | None = None) -> list[dict[str, Any]]:
    entries = list(_entries.values())
    if cap is not None and len(entries) > cap:
        entries = entries[-cap:]  # the most recent connections
    return [gateway_entry(), *entries]


def event_payload() -> dict[str, Any]:
    return {
        "presence": snapshot(EVENT_CAP),
        "count": len(_entries) + 1,
        "truncated": len(_entries) > EVENT_CAP,
        "stateVersion": {"presence": _version["presence"]},
    }


_pending: dict[str, Any] = {"handle": None, "loop": None}


def changed() -> None:
    """Announce a presence change. Coalesced so that N clients connecting at once cost a
    few events rather than N events of N entries to N clients."""
    loop = asyncio.get_running_loop()
    if _pending["handle"] is not None and _pending["loop"] is loop:
        return
    _pending["loop"] = loop
    _pending["handle"] = loop.call_later(EVENT_INTERVAL_S, _emit)


def _emit() -> None:
    from gateway import events

    _pending["handle"] = None
    events.emit("presence", event_payload())


def count() -> int:
    return len(_entries)


def version() -> int:
    return _version["presence"]

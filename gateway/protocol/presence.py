"""Who is connected: one presence entry per authenticated connection, plus the gateway."""

from __future__ import annotations

import platform
import socket
import time
from typing import Any

from django.conf import settings

STARTED = time.time()
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


def snapshot() -> list[dict[str, Any]]:
    return [gateway_entry(), *_entries.values()]


def count() -> int:
    return len(_entries)


def version() -> int:
    return _version["presence"]

"""health, status, system-presence, logs.tail."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from agents.tools import mcp as mcp_tools
from gateway.protocol import agentsinfo, channelsinfo, frames, health, presence
from gateway.protocol.registry import Call, Handler


async def health_method(call: Call) -> dict[str, Any]:
    return await health.health(fresh=bool(call.params.get("probe")))


async def status(call: Call) -> dict[str, Any]:
    from gateway.runtime import RUNTIME

    snap = await health.health()
    return {
        "ok": True,
        "version": settings.VERSION,
        "pid": os.getpid(),
        "uptimeMs": presence.uptime_ms(),
        "startedAt": int(RUNTIME.started_at * 1000),
        "bind": RUNTIME.bind,
        "host": RUNTIME.host,
        "port": RUNTIME.port,
        "configPath": RUNTIME.config_path or str(settings.EPILOOP_CONFIG_PATH),
        "configValid": RUNTIME.config_valid,
        "configProblems": list(RUNTIME.config_problems),
        "unconfigured": RUNTIME.unconfigured,
        "restartNeeded": list(RUNTIME.restart_needed),
        "stateDir": str(settings.EPILOOP_STATE_DIR),
        "defaultAgentId": agentsinfo.default_agent_id(),
        "agents": agentsinfo.agents(),
        "channels": channelsinfo.summaries(),
        "sessions": snap["sessions"],
        "connections": presence.count(),
        "mcp": mcp_tools.statuses(),
    }


async def system_presence(call: Call) -> list[dict[str, Any]]:
    return presence.snapshot()


def log_file() -> Path:
    return Path(settings.EPILOOP_LOG_DIR) / "epiloop.log"


def tail(cursor: int | None, limit: int, max_bytes: int) -> dict[str, Any]:
    path = log_file()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return {
            "file": str(path),
            "cursor": 0,
            "size": 0,
            "lines": [],
            "truncated": False,
            "reset": cursor is not None and cursor > 0,
        }
    reset = cursor is not None and cursor > size  # rotated since the client's last read
    if cursor is None or reset:
        start = max(0, size - max_bytes) if cursor is None else 0
    else:
        start = cursor
    truncated = False
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(min(max_bytes, size - start))
    end = start + len(data)
    if start > 0 and cursor is None:
        # Started mid-file: drop the partial first line.
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else b""
        truncated = True
    if not data.endswith(b"\n") and b"\n" in data:
        keep = data.rfind(b"\n") + 1  # an unfinished last line waits for the next read
        end -= len(data) - keep
        data = data[:keep]
    elif not data.endswith(b"\n"):
        end -= len(data)
        data = b""
    lines = data.decode("utf-8", "replace").splitlines()
    if len(lines) > limit:
        lines = lines[-limit:]
        truncated = True
    return {
        "file": str(path),
        "cursor": end,
        "size": size,
        "lines": lines,
        "truncated": truncated,
        "reset": reset,
    }


async def logs_tail(call: Call) -> dict[str, Any]:
    raw = call.params.get("cursor")
    cursor = None if raw is None else frames.optional_int(call.params, "cursor", 0, 0, 2**62)
    limit = frames.optional_int(call.params, "limit", 500, 1, 5000)
    max_bytes = frames.optional_int(call.params, "maxBytes", 250_000, 1, 1_000_000)
    return await sync_to_async(tail)(cursor, limit, max_bytes)


METHODS: dict[str, Handler] = {
    "health": health_method,
    "status": status,
    "system-presence": system_presence,
    "logs.tail": logs_tail,
}

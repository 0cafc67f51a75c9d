"""The `hello-ok` answer to a successful connect."""

from __future__ import annotations

import socket
from typing import Any

from django.conf import settings

from agents import sessionkeys
from gateway.protocol import agentsinfo, frames, health, presence, ticker
from gateway.protocol.registry import EVENTS, methods


def session_defaults() -> dict[str, Any]:
    from config.runtime import current

    agent_id = agentsinfo.default_agent_id()
    return {
        "defaultAgentId": agent_id,
        "mainKey": sessionkeys.MAIN,
        "mainSessionKey": sessionkeys.main(agent_id),
        "scope": current().session.dm_scope,
    }


async def hello_ok(conn_id: str) -> dict[str, Any]:
    from gateway.runtime import RUNTIME

    return {
        "type": "hello-ok",
        "protocol": frames.PROTOCOL_VERSION,
        "server": {"version": settings.VERSION, "host": socket.gethostname(), "connId": conn_id},
        "features": {"methods": sorted(methods()), "events": EVENTS},
        "snapshot": {
            "presence": presence.snapshot(presence.SNAPSHOT_CAP),
            "health": await health.health(),
            "stateVersion": {"presence": presence.version(), "health": 0},
            "uptimeMs": presence.uptime_ms(),
            "configPath": RUNTIME.config_path or str(settings.EPILOOP_CONFIG_PATH),
            "stateDir": str(settings.EPILOOP_STATE_DIR),
            "sessionDefaults": session_defaults(),
        },
        "policy": {
            "maxPayload": frames.MAX_PAYLOAD,
            "maxBufferedBytes": frames.MAX_BUFFERED_BYTES,
            "tickIntervalMs": ticker.interval_ms(),
        },
    }

"""sessions.list, sessions.reset, sessions.delete."""

from __future__ import annotations

import time
from typing import Any

from asgiref.sync import sync_to_async

from agents import sessionkeys
from gateway.protocol import agentsinfo, health, runs, sessionsinfo
from gateway.protocol.frames import INVALID_REQUEST, ProtocolError, optional_int
from gateway.protocol.registry import Call, Handler


def _key(params: dict[str, Any]) -> str:
    key = params.get("key") or params.get("sessionKey")
    if not isinstance(key, str) or not key.strip():
        raise ProtocolError(INVALID_REQUEST, "key is required (a session key)")
    return runs.resolve_session(key)[1]


async def sessions_list(call: Call) -> dict[str, Any]:
    limit = optional_int(call.params, "limit", 100, 1, 1000)
    agent_id = call.params.get("agentId") or None
    rows = await sync_to_async(sessionsinfo.list_sessions)(limit, agent_id)
    defaults_agent = agentsinfo.default_agent_id()
    return {
        "ts": int(time.time() * 1000),
        "count": len(rows),
        "defaults": {
            "defaultAgentId": defaults_agent,
            "mainSessionKey": sessionkeys.main(defaults_agent),
        },
        "sessions": rows,
    }


async def sessions_reset(call: Call) -> dict[str, Any]:
    key = _key(call.params)
    runs.abort(key)
    done = await sync_to_async(sessionsinfo.reset)(key)
    health.invalidate()
    return {"ok": True, "key": key, "reset": done}


async def sessions_delete(call: Call) -> dict[str, Any]:
    key = _key(call.params)
    runs.abort(key)
    done = await sync_to_async(sessionsinfo.delete)(key)
    health.invalidate()
    return {"ok": True, "key": key, "deleted": done}


METHODS: dict[str, Handler] = {
    "sessions.list": sessions_list,
    "sessions.reset": sessions_reset,
    "sessions.delete": sessions_delete,
}

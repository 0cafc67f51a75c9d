"""agents.list, models.list."""

from __future__ import annotations

from typing import Any

from gateway.protocol import agentsinfo
from gateway.protocol.registry import Call, Handler


async def agents_list(call: Call) -> dict[str, Any]:
    from config.runtime import current

    return {
        "defaultId": agentsinfo.default_agent_id(),
        "mainKey": "main",
        "scope": current().session.dm_scope,
        "agents": agentsinfo.agents(),
    }


async def models_list(call: Call) -> dict[str, Any]:
    return {"models": agentsinfo.models()}


METHODS: dict[str, Handler] = {"agents.list": agents_list, "models.list": models_list}

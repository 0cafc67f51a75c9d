"""usage.cost: tokens and estimated cost per agent per day (the Control UI draws it)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async

from gateway.protocol import sessionsinfo
from gateway.protocol.frames import optional_int
from gateway.protocol.registry import Call, Handler


async def usage_cost(call: Call) -> dict[str, Any]:
    days = optional_int(call.params, "days", 14, 1, 366)
    rows = await sync_to_async(sessionsinfo.usage_by_day)(days)
    return {
        "days": rows,
        "totals": {
            "inputTokens": sum(r.get("inputTokens", 0) for r in rows),
            "outputTokens": sum(r.get("outputTokens", 0) for r in rows),
            "costUsd": round(sum(r.get("costUsd", 0.0) for r in rows), 6),
        },
    }


METHODS: dict[str, Handler] = {"usage.cost": usage_cost}

"""exec.approval.request, exec.approval.resolve, exec.approvals.list.

`exec.approval.request` lets a protocol client (a node host running commands elsewhere, a
script) ask the operators through the same broker the exec tool uses. Like `agent`, it
answers twice on one request id: at once `{status: "accepted", id, createdAtMs,
expiresAtMs}`, then `{id, decision, by, ...}` once someone answers or the wait runs out
(decision "deny", `expired: true`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from agents import sessionkeys
from agents.tools.approvals import BROKER, parse_decision
from agents.tools.base import ApprovalRequest
from gateway.protocol import agentsinfo
from gateway.protocol.approvals import WIRE, shape
from gateway.protocol.frames import INVALID_REQUEST, ProtocolError, optional_int, require_str
from gateway.protocol.registry import Call, Handler

MAX_WAIT_MS = 3_600_000
_waiting: set[asyncio.Task[None]] = set()


def _default_wait_ms() -> int:
    from config.runtime import current

    return max(1, current().tools.exec.approval_timeout_seconds) * 1000


def _who(call: Call) -> str:
    client = call.conn.client or {}
    return str(client.get("displayName") or client.get("id") or "operator")


async def approval_request(call: Call) -> dict[str, Any]:
    p = call.params
    command = require_str(p, "command")
    agent_id = str(p.get("agentId") or agentsinfo.default_agent_id())
    if not agentsinfo.known_agent(agent_id):
        raise ProtocolError(INVALID_REQUEST, f"unknown agent: {agent_id}")
    session_key = str(p.get("sessionKey") or sessionkeys.main(agent_id))
    tool = str(p.get("tool") or "exec")
    wait_s = optional_int(p, "timeoutMs", _default_wait_ms(), 1, MAX_WAIT_MS) / 1000
    pending = BROKER.open(ApprovalRequest(tool, command, agent_id, session_key), wait_s)
    conn, req_id = call.conn, call.id

    async def answer_when_decided() -> None:
        answer = await BROKER.wait(pending, wait_s)
        await conn.send_res(
            req_id,
            {
                "id": pending.id,
                "decision": WIRE[answer.decision],
                "by": answer.by,
                "expired": answer.timed_out,
                "createdAtMs": pending.created_at_ms,
                "expiresAtMs": pending.expires_at_ms,
            },
        )

    task = asyncio.ensure_future(answer_when_decided())
    _waiting.add(task)
    task.add_done_callback(_waiting.discard)
    return {
        "status": "accepted",
        "id": pending.id,
        "createdAtMs": pending.created_at_ms,
        "expiresAtMs": pending.expires_at_ms,
    }


async def approval_resolve(call: Call) -> dict[str, Any]:
    approval_id = require_str(call.params, "id")
    decision = parse_decision(call.params.get("decision"))
    if decision is None:
        raise ProtocolError(
            INVALID_REQUEST, 'decision must be "allow-once", "allow-always" or "deny"'
        )
    if BROKER.resolve(approval_id, decision, _who(call)) is None:
        raise ProtocolError(INVALID_REQUEST, f"unknown or expired approval id: {approval_id}")
    return {"ok": True, "id": approval_id.strip().lower(), "decision": WIRE[decision]}


async def approvals_list(call: Call) -> dict[str, Any]:
    return {"approvals": [shape(p) for p in BROKER.pending()]}


METHODS: dict[str, Handler] = {
    "exec.approval.request": approval_request,
    "exec.approval.resolve": approval_resolve,
    "exec.approvals.list": approvals_list,
}

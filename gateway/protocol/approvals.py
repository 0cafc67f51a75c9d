"""Approvals on the wire: the broker's requests and resolutions become protocol events.

`exec.approval.requested` `{id, tool, command, agentId, sessionKey, createdAtMs,
expiresAtMs, request}` and `exec.approval.resolved` `{id, decision, by, ts, expired,
request}`. Decisions travel in OpenClaw's spelling ("allow-once", "allow-always", "deny");
`request` repeats the fields in OpenClaw's nesting, so its clients find them where they look.
"""

from __future__ import annotations

import time
from typing import Any

from agents.tools import approvals
from agents.tools.approvals import Change, Pending
from agents.tools.base import Decision
from gateway import events

REQUESTED = "exec.approval.requested"
RESOLVED = "exec.approval.resolved"
EVENTS = [REQUESTED, RESOLVED]
WIRE: dict[Decision, str] = {
    "approve-once": "allow-once",
    "approve-always": "allow-always",
    "deny": "deny",
}

_unsubscribe: Any = None


def shape(pending: Pending) -> dict[str, Any]:
    req = pending.request
    return {
        "id": pending.id,
        "tool": req.tool,
        "command": req.summary,
        "agentId": req.agent_id,
        "sessionKey": req.session_key,
        "createdAtMs": pending.created_at_ms,
        "expiresAtMs": pending.expires_at_ms,
        "request": {
            "command": req.summary,
            "agentId": req.agent_id,
            "sessionKey": req.session_key,
            "tool": req.tool,
        },
    }


def on_change(change: Change) -> None:
    if change.kind == "requested":
        events.emit(REQUESTED, shape(change.pending), droppable=False)
        return
    answer = change.answer
    assert answer is not None
    events.emit(
        RESOLVED,
        {
            "id": change.pending.id,
            "decision": WIRE[answer.decision],
            "by": answer.by,
            "resolvedBy": answer.by,
            "expired": answer.timed_out,
            "ts": int(time.time() * 1000),
            "request": shape(change.pending)["request"],
        },
        droppable=False,
    )


def install() -> None:
    """Subscribe to the broker once per process (the gateway app's `ready`)."""
    global _unsubscribe
    if _unsubscribe is None:
        _unsubscribe = approvals.BROKER.subscribe(on_change)

"""chat.send, chat.history, chat.abort and agent (which answers twice on one request id)."""

from __future__ import annotations

import time
from typing import Any

from asgiref.sync import sync_to_async

from gateway.protocol import agentsinfo, runs, sessionsinfo
from gateway.protocol.frames import INVALID_REQUEST, ProtocolError, optional_int, require_str
from gateway.protocol.registry import Call, Handler


async def chat_send(call: Call) -> dict[str, Any]:
    p = call.params
    session_key = require_str(p, "sessionKey")
    message = require_str(p, "message")
    key = str(p.get("idempotencyKey") or "")
    previous = runs.find(key)
    if previous is not None:
        status = "in_flight" if previous.run_id in runs.RUNS else "ok"
        return {"runId": previous.run_id, "status": status}
    run = runs.start(message, session_key, idempotency_key=key)
    return {"runId": run.run_id, "status": "started"}


async def chat_history(call: Call) -> dict[str, Any]:
    _agent, key = runs.resolve_session(require_str(call.params, "sessionKey"))
    limit = optional_int(call.params, "limit", 200, 1, 1000)
    session_id, messages = await sync_to_async(sessionsinfo.history)(key, limit)
    return {"sessionKey": key, "sessionId": session_id, "messages": messages}


async def chat_abort(call: Call) -> dict[str, Any]:
    run_id = call.params.get("runId")
    session_key = call.params.get("sessionKey")
    if not run_id and not session_key:
        raise ProtocolError(INVALID_REQUEST, "sessionKey or runId is required")
    stopped = runs.abort(session_key, run_id)
    return {"ok": True, "aborted": bool(stopped), "runIds": stopped}


async def agent(call: Call) -> dict[str, Any]:
    p = call.params
    message = require_str(p, "message")
    agent_id = p.get("agentId") or None
    if agent_id is not None and not agentsinfo.known_agent(str(agent_id)):
        raise ProtocolError(INVALID_REQUEST, f"unknown agent: {agent_id}")
    key = str(p.get("idempotencyKey") or "")
    previous = runs.find(key)
    if previous is not None:
        return {"runId": previous.run_id, "status": "in_flight"}
    conn, req_id = call.conn, call.id

    async def answer_again(run: runs.Run) -> None:
        outcome = run.outcome
        ok = outcome.get("state") == "final"
        text = outcome.get("text") or ""
        summary = "completed" if ok else (outcome.get("error") or outcome.get("state", "error"))
        await conn.send_res(
            req_id,
            {
                "runId": run.run_id,
                "status": "ok" if ok else "error",
                "summary": summary,
                "result": {"payloads": [{"text": text}] if text else []},
            },
        )

    run = runs.start(
        message, p.get("sessionKey"), agent_id=agent_id, idempotency_key=key, on_done=answer_again
    )
    return {"runId": run.run_id, "status": "accepted", "acceptedAt": int(time.time() * 1000)}


METHODS: dict[str, Handler] = {
    "chat.send": chat_send,
    "chat.history": chat_history,
    "chat.abort": chat_abort,
    "agent": agent,
}

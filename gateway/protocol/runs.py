"""Agent runs started over the protocol: streaming to `chat` events, abort, idempotency.

A run calls `agents.service.run_turn` with an abort event and an on-delta callback. Deltas
carry the whole text so far and are throttled to one per `DELTA_INTERVAL_S`; the run always
ends with exactly one `final` (non-empty text), `aborted` or `error` (with a message), sent
once the turn is recorded. A delta may already hold the whole reply: only `final` says the
turn is done and readable.

While the run uses tools, each call shows as two `agent` events (OpenClaw's shape):
`{runId, sessionKey, seq, ts, stream: "tool", data: {phase: "start" | "result", toolCallId,
name, args, durationMs, ok, error}}`; their `seq` counts agent events of the run.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agents import sessionkeys
from gateway import events
from gateway.protocol import agentsinfo, health
from gateway.protocol.frames import UNAVAILABLE, ProtocolError

log = logging.getLogger("epiloop.ws")

DELTA_INTERVAL_S = 0.15
DEDUPE_MAX = 1000


@dataclass
class Run:
    run_id: str
    session_key: str
    agent_id: str
    abort: asyncio.Event = field(default_factory=asyncio.Event)
    text: str = ""
    seq: int = 0
    last_delta: float = 0.0
    task: asyncio.Task[Any] | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    agent_seq: int = 0


RUNS: dict[str, Run] = {}
_recent: collections.OrderedDict[str, Run] = collections.OrderedDict()


def resolve_session(session_key: str | None, agent_id: str | None = None) -> tuple[str, str]:
    """(agent id, full session key); `main` is the default agent's main session."""
    return sessionkeys.resolve(session_key, agent_id or agentsinfo.default_agent_id())


def _message(text: str) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "timestamp": int(time.time() * 1000),
    }


def _emit(run: Run, state: str, **extra: Any) -> None:
    run.seq += 1
    payload: dict[str, Any] = {
        "runId": run.run_id,
        "sessionKey": run.session_key,
        "seq": run.seq,
        "state": state,
        **extra,
    }
    events.emit("chat", payload, droppable=state == "delta")


def _on_tool(run: Run, event: Any) -> None:
    """A tool call started or finished (`agents.toolloop.ToolEvent`)."""
    run.agent_seq += 1
    data: dict[str, Any] = {
        "phase": event.phase,
        "toolCallId": event.call_id,
        "name": event.name,
        "args": event.args,
    }
    if event.phase == "result":
        data.update(durationMs=event.duration_ms, ok=event.ok)
        if event.error:
            data["error"] = event.error
    payload = {
        "runId": run.run_id,
        "sessionKey": run.session_key,
        "seq": run.agent_seq,
        "ts": int(time.time() * 1000),
        "stream": "tool",
        "data": data,
    }
    events.emit("agent", payload, droppable=False)


def _on_delta(run: Run, text: str) -> None:
    if run.abort.is_set():
        return
    run.text = text
    now = time.monotonic()
    if now - run.last_delta >= DELTA_INTERVAL_S:
        run.last_delta = now
        _emit(run, "delta", message=_message(text))


def _turn_function() -> Callable[..., Awaitable[Any]]:
    try:
        from agents.service import run_turn
    except ImportError as exc:
        raise ProtocolError(UNAVAILABLE, f"agents are not available: {exc}") from None
    return run_turn


def find(idempotency_key: str) -> Run | None:
    return _recent.get(idempotency_key) if idempotency_key else None


def start(
    message: str,
    session_key: str | None,
    *,
    agent_id: str | None = None,
    idempotency_key: str = "",
    on_done: Callable[[Run], Awaitable[None]] | None = None,
) -> Run:
    run_turn = _turn_function()
    agent, key = resolve_session(session_key, agent_id)
    run = Run(run_id=idempotency_key or uuid.uuid4().hex, session_key=key, agent_id=agent)
    RUNS[run.run_id] = run
    if idempotency_key:
        _recent[idempotency_key] = run
        while len(_recent) > DEDUPE_MAX:
            _recent.popitem(last=False)
    run.task = asyncio.ensure_future(_execute(run, run_turn, message, on_done))
    return run


async def _execute(
    run: Run,
    run_turn: Callable[..., Awaitable[Any]],
    message: str,
    on_done: Callable[[Run], Awaitable[None]] | None,
) -> None:
    try:
        result = await run_turn(
            run.agent_id,
            run.session_key,
            message,
            on_delta=lambda text: _on_delta(run, text),
            on_tool=lambda event: _on_tool(run, event),
            abort=run.abort,
            channel="webchat",
            # The turn is in the database before `final` (and the `agent` method's final
            # answer) go out, so the client's next sessions.list / chat.history shows it, on
            # any connection. It costs this client one group-commit write (milliseconds) after
            # the text has streamed; chat platforms (agents.service.reply_to) do not wait for
            # it, their reply goes out first.
            wait_for_record=True,
        )
        _finish(run, result)
    except asyncio.CancelledError:
        run.outcome = {"state": "aborted"}
        _emit(run, "aborted", message=_message(run.text), errorMessage="aborted")
    except Exception as exc:
        log.exception("run %s failed", run.run_id)
        run.outcome = {"state": "error", "error": str(exc) or type(exc).__name__}
        _emit(run, "error", errorMessage=run.outcome["error"])
    finally:
        RUNS.pop(run.run_id, None)
        health.invalidate()
    if on_done is not None:
        await on_done(run)


def _finish(run: Run, result: Any) -> None:
    text = str(getattr(result, "text", "") or "")
    ok = bool(getattr(result, "ok", True))
    usage = getattr(result, "usage", None)
    if run.abort.is_set() or getattr(result, "aborted", False):
        run.text = text or run.text
        run.outcome = {"state": "aborted", "text": run.text}
        _emit(run, "aborted", message=_message(run.text), errorMessage="aborted by the user")
        return
    if not ok:
        # The turn's text is the user-facing explanation (busy, all models failed, timeout).
        error = text or str(getattr(result, "error", "") or "the model call failed")
        run.outcome = {"state": "error", "error": error, "text": text}
        _emit(run, "error", errorMessage=error)
        return
    if not text.strip():
        run.outcome = {"state": "error", "error": "the model returned an empty reply"}
        _emit(run, "error", errorMessage=run.outcome["error"])
        return
    run.text = text
    run.outcome = {"state": "final", "text": text}
    extra: dict[str, Any] = {"message": _message(text)}
    if usage:
        extra["usage"] = usage if isinstance(usage, dict) else getattr(usage, "__dict__", usage)
    _emit(run, "final", **extra)


def abort(session_key: str | None, run_id: str | None = None) -> list[str]:
    _, key = resolve_session(session_key) if session_key else ("", "")
    stopped = []
    for run in list(RUNS.values()):
        if (run_id and run.run_id == run_id) or (not run_id and run.session_key == key):
            run.abort.set()
            stopped.append(run.run_id)
    return stopped

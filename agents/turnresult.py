"""A turn's result, and how the tool loop's outcome (or its absence: aborted, timed out)
becomes the text the user reads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TypedDict

from agents import fallback

log = logging.getLogger("epiloop.agent")


@dataclass
class TurnResult:
    text: str  # never empty
    ok: bool
    agent_id: str
    session_key: str
    model: str = ""  # provider/model that answered
    provider: str = ""
    busy: bool = False
    aborted: bool = False
    timed_out: bool = False
    error: str = ""
    usage: dict[str, int] | None = None
    latency_ms: int = 0


class _Who(TypedDict):
    agent_id: str
    session_key: str


class _Answerer(TypedDict):
    model: str
    provider: str


def turn_result(
    agent_id: str,
    session_key: str,
    outcome: fallback.Outcome | None,
    streamed: str,
    aborted: bool,
    timed_out: bool,
    timeout: float,
) -> TurnResult:
    base: _Who = {"agent_id": agent_id, "session_key": session_key}
    if aborted:
        return TurnResult(streamed or "(aborted)", False, aborted=True, error="aborted", **base)
    if timed_out or outcome is None:
        note = f"Sorry, the reply timed out after {timeout:g} s."
        text = f"{streamed}\n\n[{note}]" if streamed else note
        log.warning("run in %s timed out after %g s", session_key, timeout)
        return TurnResult(text, False, timed_out=True, error="timeout", **base)
    ref = outcome.ref
    named: _Answerer = {
        "model": str(ref) if ref else "",
        "provider": ref.provider if ref else "",
    }
    usage = None
    if outcome.output is not None:
        usage = {
            "inputTokens": outcome.output.input_tokens,
            "outputTokens": outcome.output.output_tokens,
        }
    if outcome.ok:
        return TurnResult(outcome.text, True, usage=usage, **named, **base)
    message = outcome.failure_message()
    if outcome.cut_off:
        return TurnResult(f"{outcome.text}\n\n{message}", False, error=message, **named, **base)
    return TurnResult(message, False, error=message, **named, **base)

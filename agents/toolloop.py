"""The tool loop: call the model, run the tool calls it asks for, send the results back, and
again, until it answers without tools (DESIGN §8).

A failing tool never ends the turn: its error text goes back to the model as an error
result, as do calls to tools that were not offered and calls with malformed arguments.
After `max_iterations` rounds the model is told so and asked for a final answer without
tools. Only the first model call may fall back to another model, and only before anything
streamed (`agents.fallback`); later calls stay with the model that started the work.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agents import fallback
from agents.agentconf import ModelRef
from agents.providers import Block, ChatMessage, OnText, ToolCall, ToolSpec
from agents.tools.base import Tool, ToolContext, ToolError

log = logging.getLogger("epiloop.agent")

MAX_RESULT_CHARS = 100_000
ARGS_PREVIEW_CHARS = 200
LIMIT_NOTE = (
    "You have used the maximum of {n} tool rounds for this message. Do not call tools "
    "now: answer with what you have, and say what is left undone."
)


@dataclass(frozen=True)
class ToolEvent:
    """What the protocol shows while a run uses tools (`agent` events, stream "tool")."""

    phase: str  # "start" | "result"
    call_id: str
    name: str
    args: str  # the arguments as short JSON text
    duration_ms: int = 0
    ok: bool = True
    error: str = ""


OnToolEvent = Callable[[ToolEvent], Awaitable[None] | None]


@dataclass
class LoopResult:
    outcome: fallback.Outcome  # of the last model call; text: everything that streamed
    final_text: str = ""  # the last call's own text (the stored assistant message)
    steps: list[ChatMessage] = field(default_factory=list)  # tool uses and results, in order
    input_tokens: int = 0
    output_tokens: int = 0
    rounds: int = 0


async def _call(result: object) -> None:
    if inspect.isawaitable(result):
        await result


def preview(args: dict[str, Any]) -> str:
    import json

    text = json.dumps(args, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= ARGS_PREVIEW_CHARS else text[: ARGS_PREVIEW_CHARS - 1] + "…"


async def run_tool(call: ToolCall, tools: dict[str, Tool], ctx: ToolContext) -> tuple[str, bool]:
    """(result text, is an error). Never raises (except cancellation)."""
    tool = tools.get(call.name)
    if tool is None:
        offered = ", ".join(sorted(tools)) or "none"
        return f"Tool {call.name!r} is not available here (available: {offered}).", True
    if call.error:
        return f"Tool {call.name!r} was not run: {call.error}.", True
    try:
        text = await tool.run(call.input, ctx)
    except ToolError as exc:
        return str(exc) or f"{call.name} failed", True
    except Exception as exc:  # a tool bug must not end the turn; the model reads why
        log.exception("tool %s failed", call.name)
        return f"{call.name} failed: {type(exc).__name__}: {exc}"[:2000], True
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + f"\n[... cut at {MAX_RESULT_CHARS} characters]"
    return text, False


# Models (`provider/model`) that refused a request declaring tools, in this process.
NO_TOOLS: set[str] = set()


def _refuses_tools(outcome: fallback.Outcome, specs: list[ToolSpec], rounds: int) -> bool:
    """A model without tool support (many local models behind Ollama and friends) rejects
    the first request that declares tools: that turn goes on without them."""
    error = outcome.error
    return (
        not outcome.ok
        and rounds == 0
        and bool(specs)
        and error is not None
        and error.kind == "invalid_request"
        and "tool" in str(error).lower()
    )


class _Text:
    """Passes streamed text on, with a blank line between the texts of successive calls."""

    def __init__(self, on_text: OnText) -> None:
        self.on_text = on_text
        self.parts: list[str] = []
        self.call_parts: list[str] = []

    def next_call(self) -> None:
        self.call_parts = []

    async def __call__(self, text: str) -> None:
        if not self.call_parts and self.parts and "".join(self.parts).strip():
            self.parts.append("\n\n")
            await _call(self.on_text("\n\n"))
        self.parts.append(text)
        self.call_parts.append(text)
        await _call(self.on_text(text))


async def run(
    refs: tuple[ModelRef, ...],
    system: str,
    history: list[ChatMessage],
    on_text: OnText,
    *,
    tools: dict[str, Tool],
    ctx: ToolContext | None,
    timeout: float,
    max_iterations: int = 20,
    system_tail: str = "",
    on_tool: OnToolEvent | None = None,
    cooldowns: fallback.Cooldowns | None = None,
) -> LoopResult:
    specs = [ToolSpec(t.name, t.description, t.input_schema()) for t in tools.values()]
    if refs and str(refs[0]) in NO_TOOLS:
        specs = []
    messages = list(history)
    result = LoopResult(fallback.Outcome(False))
    text = _Text(on_text)
    deadline = time.monotonic() + timeout
    candidates = refs
    while True:
        limit_reached = result.rounds >= max_iterations
        text.next_call()
        outcome = await fallback.call_with_fallback(
            candidates,
            system,
            messages,
            text,
            timeout=max(0.05, deadline - time.monotonic()),
            cooldowns=cooldowns,
            tools=specs,
            system_tail=system_tail,
            tool_choice="none" if limit_reached else "auto",
        )
        if _refuses_tools(outcome, specs, result.rounds):
            log.warning("%s does not take tools; it gets none from now on", refs[0])
            NO_TOOLS.add(str(refs[0]))
            specs = []
            continue
        if outcome.output is not None:
            result.input_tokens += outcome.output.input_tokens
            result.output_tokens += outcome.output.output_tokens
        streamed = "".join(text.parts)
        result.outcome = dataclasses.replace(outcome, text=streamed or outcome.text)
        calls = outcome.output.tool_calls if outcome.output is not None else []
        if not outcome.ok or not calls or limit_reached or ctx is None:
            result.final_text = "".join(text.call_parts) or outcome.text
            if outcome.ok and not streamed.strip():  # tool calls to the end, no text at all
                note = f"[stopped after {result.rounds} tool rounds without an answer]"
                result.outcome = dataclasses.replace(result.outcome, text=note)
                result.final_text = note
            return result
        assert outcome.ref is not None
        candidates = (outcome.ref,)  # the model that started the work finishes it
        result.rounds += 1
        said = "".join(text.call_parts)
        uses: list[Block] = [{"type": "text", "text": said}] if said.strip() else []
        uses += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in calls]
        results: list[Block] = []
        for call in calls:
            args = preview(call.input)
            if on_tool is not None:
                await _call(on_tool(ToolEvent("start", call.id, call.name, args)))
            began = time.monotonic()
            content, is_error = await run_tool(call, tools, ctx)
            took = int((time.monotonic() - began) * 1000)
            log.info("tool %s %s in %d ms", call.name, "failed" if is_error else "ran", took)
            if on_tool is not None:
                error = content[:300] if is_error else ""
                event = ToolEvent("result", call.id, call.name, args, took, not is_error, error)
                await _call(on_tool(event))
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": call.id,
                    "name": call.name,
                    "content": content,
                    "is_error": is_error,
                }
            )
        step_use = ChatMessage("assistant", said, tuple(uses))
        step_result = ChatMessage("user", "", tuple(results))
        result.steps += [step_use, step_result]
        messages += [step_use]
        if result.rounds >= max_iterations:
            told: Block = {"type": "text", "text": LIMIT_NOTE.format(n=max_iterations)}
            messages.append(ChatMessage("user", "", (*results, told)))
        else:
            messages.append(step_result)


def stored_steps(loop: LoopResult | None) -> list[tuple[str, str, list[Block]]]:
    """The loop's tool rounds as stored rows: the assistant's calls, then a `tool` row."""
    if loop is None:
        return []
    return [
        ("assistant" if m.role == "assistant" else "tool", m.content, list(m.blocks))
        for m in loop.steps
    ]

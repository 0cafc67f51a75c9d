"""Agent turns: the one path channels, the WebSocket protocol and `manage.py chat` use.

`reply_to(inbound)` routes a platform message, queues it on its session, runs the model
with fallbacks and tools (`agents.toolloop`, the tools its sender may use) and records the
messages, tool rounds included. `run_turn(agent_id, session_key, text, ...)`
does the same for a known session, streaming the whole text so far to `on_delta`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.utils import timezone

from agents import agentconf, memory, store, toolloop, turnsetup, writes
from agents.inbound import InboundMessage
from agents.queue import Busy, scheduler
from agents.routing import resolve_route
from agents.tools import policy
from agents.turnresult import TurnResult as TurnResult
from agents.turnresult import turn_result
from config.runtime import current

log = logging.getLogger("epiloop.agent")

RESET_TRIGGERS = ("/new", "/reset")
BUSY_TEXT = (
    "I'm still working on earlier messages in this conversation. "
    "Please wait a moment and send this again."
)
NEW_SESSION_TEXT = "Started a new session."
EMPTY_TEXT = "Your message was empty; there is nothing to answer."
CRASH_TEXT = "Sorry, something went wrong while answering; the gateway log has the details."

OnDelta = Callable[[str], Awaitable[None] | None]

drain = writes.drain  # wait until this loop's finished turns are in the database


@dataclass
class Reply:
    text: str  # never empty
    ok: bool
    agent_id: str
    session_key: str
    model: str = ""
    busy: bool = False
    matched_by: str = ""
    usage: dict[str, int] | None = None


def _reset_trigger(text: str) -> tuple[bool, str]:
    """(is a reset, the rest of the message to answer in the new session)."""
    stripped = text.strip()
    triggers = [*RESET_TRIGGERS, *(t for t in current().session.reset_triggers if t)]
    lowered = stripped.lower()
    for trigger in triggers:
        t = trigger.lower()
        if lowered == t or lowered.startswith(t + " ") or lowered.startswith(t + "\n"):
            return True, stripped[len(trigger) :].strip()
    return False, text


async def _call(result: object) -> None:
    if inspect.isawaitable(result):
        await result


async def reply_to(inbound: InboundMessage, *, system_prompt: str = "") -> Reply:
    route = resolve_route(inbound)
    owner = policy.is_owner(current(), route.agent_id, inbound.channel, inbound.sender_id)
    result = await run_turn(
        route.agent_id,
        route.session_key,
        inbound.text,
        channel=inbound.channel,
        system_prompt=system_prompt,
        sender_id=inbound.sender_id,
        sender_name=inbound.sender_name,
        wait_for_record=False,  # the platform reply goes out before the database write
        owner=owner,
        chat_kind=inbound.chat_kind,
    )
    return Reply(
        text=result.text,
        ok=result.ok,
        agent_id=route.agent_id,
        session_key=route.session_key,
        model=result.model,
        busy=result.busy,
        matched_by=route.matched_by,
        usage=result.usage,
    )


async def run_turn(
    agent_id: str,
    session_key: str,
    text: str,
    *,
    on_delta: OnDelta | None = None,
    abort: asyncio.Event | None = None,
    channel: str = "webchat",
    system_prompt: str = "",
    sender_id: str = "",
    sender_name: str = "",
    wait_for_record: bool = True,
    owner: bool = True,
    chat_kind: str = "",
    on_tool: toolloop.OnToolEvent | None = None,
) -> TurnResult:
    """One turn. `owner`: the caller speaks for the operator (protocol, CLI, OpenAI
    endpoint); channel turns come through `reply_to`, which decides it per sender."""
    if not agentconf.known(agent_id):
        log.warning("unknown agent %r; using the default agent", agent_id)
        agent_id = agentconf.default_agent_id()
    sched = scheduler()
    # The session's queue is entered before any await: arrival order is answer order.
    lane = sched.session(session_key, agentconf.queue_cap())
    try:
        await lane.__aenter__()
    except Busy:
        log.warning(
            "session %s has %d messages waiting (messages.queue.cap); told the sender it is busy",
            session_key,
            sched.queued(session_key),
        )
        return TurnResult(BUSY_TEXT, False, agent_id, session_key, busy=True, error="busy")
    try:
        who = _Speaker(channel, chat_kind, sender_id, sender_name, owner)
        result, record = await _turn(
            agent_id, session_key, text, on_delta, abort, system_prompt, who, on_tool
        )
    except BaseException:
        await lane.__aexit__(None, None, None)
        raise
    if record is None:
        await lane.__aexit__(None, None, None)
    else:
        # The reply goes out now; the session's next turn waits for this write.
        task = writes.write_then_release(record, lane)
        if wait_for_record:  # so that e.g. chat.history right after sees this turn
            await asyncio.shield(task)
    return result


async def _recent(key: str, agent_id: str, channel: str, text: str) -> memory.Recent:
    recent = memory.get(key)
    if recent is None:
        session_id, rows = await sync_to_async(store.load_session)(key, agent_id, channel, text)
        recent = memory.get(key) or memory.put(key, session_id, rows)
    return recent


@dataclass(frozen=True)
class _Speaker:
    channel: str
    chat_kind: str
    sender_id: str
    sender_name: str
    owner: bool


async def _turn(
    agent_id: str,
    session_key: str,
    text: str,
    on_delta: OnDelta | None,
    abort: asyncio.Event | None,
    system_prompt: str,
    who: _Speaker,
    on_tool: toolloop.OnToolEvent | None,
) -> tuple[TurnResult, store.TurnRecord | None]:
    channel, sender_id, sender_name = who.channel, who.sender_id, who.sender_name
    is_reset, rest = _reset_trigger(text)
    if is_reset:
        await sync_to_async(store.reset_session)(session_key, agent_id, channel)
        log.info("session %s started afresh", session_key)
        if not rest:
            if on_delta is not None:
                await _call(on_delta(NEW_SESSION_TEXT))
            return TurnResult(NEW_SESSION_TEXT, True, agent_id, session_key), None
        text = rest
    if not text.strip():
        return TurnResult(EMPTY_TEXT, False, agent_id, session_key, error="empty message"), None
    user_at = timezone.now()
    agent = agentconf.info(agent_id)
    cfg = current()
    setup = await turnsetup.prepare(
        agent,
        session_key,
        system_prompt,
        who.channel,
        who.chat_kind,
        sender_id,
        sender_name,
        owner=who.owner,
    )
    ctx, tools, prompt, tail = setup.ctx, setup.tools, setup.prompt, setup.tail
    recent = await _recent(session_key, agent_id, channel, text)
    history = store.bounded_history([*recent.rows, ("user", text)])
    began = time.monotonic()
    parts: list[str] = []

    async def piece(chunk: str) -> None:
        parts.append(chunk)
        if on_delta is not None:
            await _call(on_delta("".join(parts)))

    timeout = agentconf.timeout_seconds()
    loop: toolloop.LoopResult | None = None
    aborted = timed_out = crashed = False
    async with scheduler().slot(agentconf.max_concurrent()):
        call = toolloop.run(
            agent.candidates,
            prompt,
            history,
            piece,
            tools=tools,
            ctx=ctx,
            timeout=timeout,
            max_iterations=max(0, cfg.agents.defaults.max_tool_iterations),
            system_tail=tail,
            on_tool=on_tool,
        )
        try:
            async with asyncio.timeout(timeout):
                if abort is None:
                    loop = await call
                else:
                    loop, aborted = await _abortable(call, abort)
        except TimeoutError:
            timed_out = True
        except Exception:  # a bug or an SDK surprise: still answer, and say where to look
            log.exception("the run in %s failed unexpectedly", session_key)
            crashed = True
    outcome = loop.outcome if loop is not None else None
    if crashed:
        result = TurnResult(CRASH_TEXT, False, agent_id, session_key, error="internal error")
    else:
        result = turn_result(
            agent_id, session_key, outcome, "".join(parts), aborted, timed_out, timeout
        )
    tokens_in = loop.input_tokens if loop is not None else 0
    tokens_out = loop.output_tokens if loop is not None else 0
    if result.ok:
        result.usage = {"inputTokens": tokens_in, "outputTokens": tokens_out}
    result.latency_ms = int((time.monotonic() - began) * 1000)
    steps = toolloop.stored_steps(loop)
    recent.rows.append(("user", text))
    if result.ok:
        recent.rows.extend((role, said, tuple(blocks)) for role, said, blocks in steps)
        final = loop.final_text if loop is not None and loop.final_text else result.text
        recent.rows.append(("assistant", final))
    else:
        final = result.text
    ref = outcome.ref if outcome is not None else None
    record = store.TurnRecord(
        session_id=recent.session_id,
        key=session_key,
        agent_id=agent_id,
        channel=channel,
        user_text=text,
        user_at=user_at,
        text=final,
        ok=result.ok,
        error=result.error,
        sender_id=sender_id,
        sender_name=sender_name,
        provider=ref.provider if ref else "",
        model=ref.model if ref else "",
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        latency_ms=result.latency_ms,
        steps=steps,
    )
    return result, record


async def _abortable(
    call: Awaitable[toolloop.LoopResult], abort: asyncio.Event
) -> tuple[toolloop.LoopResult | None, bool]:
    task = asyncio.ensure_future(call)
    waiter = asyncio.ensure_future(abort.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return task.result(), False
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None, True

"""`/approve ID [always]` and `/deny ID` in a chat: an owner of the agent answers a pending
tool approval (`agents.tools.approvals`). These messages never reach the model.

An owner is listed in the agent's `agents.list[].owners` as `"<channel>:<sender id>"` or as
a bare sender id (any channel). Owners are answered even where the access policy would not
let them talk to the agent (a group that needs a mention); anyone else gets the policy's
treatment and, when the policy lets them through, one line of refusal.

When a turn that came from a chat asks for approval, that chat is told the id (`notify`,
subscribed to the broker when the channels start).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from agents import sessionkeys
from agents.inbound import InboundMessage
from agents.tools.approvals import BROKER, Change, parse_decision
from agents.tools.base import Decision
from config.schema import EpiloopConfig

# Leading mentions (Discord `<@123>`, `@bot`) and Telegram's `/approve@bot` are allowed.
_COMMAND = re.compile(
    r"^\s*(?:(?:<@!?\d+>|@\w+)\s*)*/(approve|deny)(?:@\w+)?(?:\s+(\S+))?(?:\s+(\S+))?\s*$",
    re.IGNORECASE,
)
_OPTIONS: dict[str, Decision] = {"once": "approve-once", "always": "approve-always"}
REFUSAL = "Only an owner of this agent can answer approvals (agents.list[].owners)."
USAGE = "Usage: /approve ID, /approve ID always, or /deny ID."

log = logging.getLogger("epiloop.approvals")
_sending: set[asyncio.Task[str]] = set()
_unsubscribe: Callable[[], None] | None = None


@dataclass(frozen=True)
class ApprovalCommand:
    approval_id: str  # "" when missing
    decision: Decision | None  # None: an option we do not know


def parse(text: str) -> ApprovalCommand | None:
    """The command in `text`, or None when the message is not one."""
    found = _COMMAND.match(text or "")
    if found is None:
        return None
    verb, approval_id, option = found.group(1).lower(), found.group(2) or "", found.group(3)
    if verb == "deny":
        decision: Decision | None = "deny" if option is None else None
    elif option is None:
        decision = "approve-once"
    else:
        decision = _OPTIONS.get(option.lower()) or parse_decision(option)
    return ApprovalCommand(approval_id.lower(), decision)


def is_owner(config: EpiloopConfig, agent_id: str | None, inbound: InboundMessage) -> bool:
    """Is the sender an owner of `agent_id` (of any agent when None)?"""
    if inbound.sender_is_bot or inbound.sender_is_self or not inbound.sender_id:
        return False
    me = {inbound.sender_id, f"{inbound.channel}:{inbound.sender_id}".lower()}
    for entry in config.agents.list:
        if agent_id is not None and str(entry.id) != agent_id:
            continue
        if any(owner.strip().lower() in me or owner.strip() in me for owner in entry.owners):
            return True
    return False


def may_answer(command: ApprovalCommand, inbound: InboundMessage, config: EpiloopConfig) -> bool:
    pending = BROKER.get(command.approval_id) if command.approval_id else None
    agent_id = pending.request.agent_id if pending is not None else None
    return is_owner(config, agent_id, inbound)


def answer(command: ApprovalCommand, inbound: InboundMessage, config: EpiloopConfig) -> str:
    """Resolve the approval for an owner; the one-line reply."""
    if not command.approval_id or command.decision is None:
        return USAGE + _pending_line(inbound, config)
    by = f"{inbound.channel}:{inbound.sender_id}"
    pending = BROKER.resolve(command.approval_id, command.decision, by)
    if pending is None:
        return f"No pending approval {command.approval_id} (answered or expired)."
    what = f"{pending.request.tool}: {_short(pending.request.summary)}"
    if command.decision == "deny":
        return f"Denied {pending.id} ({what})."
    if command.decision == "approve-always":
        return f"Approved {pending.id} ({what}); this program runs without asking from now on."
    return f"Approved {pending.id} once ({what})."


def _pending_line(inbound: InboundMessage, config: EpiloopConfig) -> str:
    mine = [
        f"{p.id} ({p.request.tool}: {_short(p.request.summary)})"
        for p in BROKER.pending()
        if is_owner(config, p.request.agent_id, inbound)
    ]
    return " Pending: " + ", ".join(mine) + "." if mine else " Nothing is waiting."


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def chat_target(session_key: str) -> tuple[str, str] | None:
    """(channel, target in the platform's words) of the chat a session lives in, if any."""
    parsed = sessionkeys.parse(session_key)
    if parsed is None or not parsed.channel or not parsed.peer:
        return None
    if parsed.kind == "dm":
        return parsed.channel, f"user:{parsed.peer}"
    if parsed.kind in ("group", "channel"):
        topic = f":topic:{parsed.topic}" if parsed.topic else ""
        return parsed.channel, parsed.peer + topic
    return None


def notify(change: Change) -> None:
    """Tell the chat a turn came from that it is waiting for an owner's answer."""
    from channels_app import runner

    if change.kind != "requested":
        return
    pending = change.pending
    where = chat_target(pending.request.session_key)
    adapter = runner.RUNNING.get(where[0]) if where else None
    if where is None or adapter is None:
        return
    wait_s = max(1, (pending.expires_at_ms - pending.created_at_ms) // 1000)
    text = (
        f"Approval needed ({pending.request.tool}): {_short(pending.request.summary, 300)}\n"
        f"An owner replies /approve {pending.id}, /approve {pending.id} always, or "
        f"/deny {pending.id} (within {wait_s} s)."
    )
    task = asyncio.ensure_future(adapter.send_text(where[1], text))
    _sending.add(task)
    task.add_done_callback(_sent)


def _sent(task: asyncio.Task[str]) -> None:
    _sending.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not post an approval request to the chat: %s", task.exception())


def install() -> None:
    """Subscribe `notify` to the broker once per process (the runner does it)."""
    global _unsubscribe
    if _unsubscribe is None:
        _unsubscribe = BROKER.subscribe(notify)

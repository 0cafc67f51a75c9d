"""`sessions_list`, `sessions_history`, `sessions_send` and `session_status`: an agent's view
of its own conversations (never another agent's). A sender who is not an owner (a guest,
`tools.guestProfile`) sees only the session they are talking in: other sessions hold other
people's conversations."""

from __future__ import annotations

import contextvars
import time

from asgiref.sync import sync_to_async

from agents.tools.base import ToolContext, ToolError
from config.jsontypes import JsonObject

HISTORY_DEFAULT = 20
HISTORY_MAX = 100
TEXT_MAX = 2000

# Set while a `sessions_send` turn runs: that turn may not send on (two sessions sending to
# each other would each wait for the other's queue until the turn timeout).
_SENDING: contextvars.ContextVar[bool] = contextvars.ContextVar("sessions_send", default=False)


def _own(ctx: ToolContext, key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ToolError("`sessionKey` must be a session key from sessions_list")
    key = key.strip()
    if not key.startswith(f"agent:{ctx.agent_id}:"):
        raise ToolError(
            f"{key} is not one of your sessions (they start with agent:{ctx.agent_id}:)"
        )
    if not ctx.owner and key != ctx.session_key:
        raise ToolError("only this conversation is visible to you here")
    return key


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


class SessionsListTool:
    name = "sessions_list"
    group = "sessions"
    description = "List your recent conversations: session key, channel, title, messages."

    def input_schema(self) -> JsonObject:
        return {"type": "object", "properties": {"limit": {"type": "integer"}}, "required": []}

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        from agents import store

        limit = args.get("limit")
        limit = max(1, min(int(limit), 100)) if isinstance(limit, int) else 20
        rows = await sync_to_async(store.list_sessions)(limit, ctx.agent_id)
        if not ctx.owner:
            rows = [s for s in rows if s["key"] == ctx.session_key]
        lines = [
            f"{s['key']} [{s['channel'] or '-'}] {s['title'] or '(untitled)'} "
            f"({s['messageCount']} messages)"
            for s in rows
        ]
        return "\n".join(lines) or "no sessions yet"


class SessionsHistoryTool:
    name = "sessions_history"
    group = "sessions"
    description = "Read the latest messages of one of your sessions (see sessions_list)."

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {"sessionKey": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["sessionKey"],
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        from agents import store

        key = _own(ctx, args.get("sessionKey"))
        limit = args.get("limit")
        limit = max(1, min(int(limit), HISTORY_MAX)) if isinstance(limit, int) else HISTORY_DEFAULT
        messages = await sync_to_async(store.history)(key, limit)
        lines: list[str] = []
        for m in messages:
            if m["role"] == "toolResult":
                lines.append(f"[{m['toolName']} result] {_cut(m['content'][0]['text'])}")
                continue
            for c in m["content"]:
                if c["type"] == "toolCall":
                    lines.append(f"[{m['role']} called {c['name']}]")
                elif c.get("text"):
                    lines.append(f"{m['role']}: {_cut(c['text'])}")
        return "\n".join(lines) or f"{key} has no messages"


class SessionsSendTool:
    name = "sessions_send"
    group = "sessions"
    description = (
        "Send a message into another of your sessions as its user and get that session's "
        "reply (it runs a full turn there)."
    )

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {"sessionKey": {"type": "string"}, "message": {"type": "string"}},
            "required": ["sessionKey", "message"],
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        from agents.service import run_turn

        key = _own(ctx, args.get("sessionKey"))
        message = args.get("message")
        if not isinstance(message, str) or not message.strip():
            raise ToolError("`message` must be non-empty text")
        if key == ctx.session_key:
            raise ToolError("that is this session; answer here instead")
        if _SENDING.get():
            raise ToolError("sessions_send cannot be used from a turn started by sessions_send")
        token = _SENDING.set(True)
        try:
            result = await run_turn(ctx.agent_id, key, message, channel="agent", owner=ctx.owner)
        finally:
            _SENDING.reset(token)
        if not result.ok:
            raise ToolError(f"{key} could not answer: {result.error or result.text}")
        return result.text


class SessionStatusTool:
    name = "session_status"
    group = "sessions"
    description = "Your agent id, this session's key, channel and the current server time."

    def input_schema(self) -> JsonObject:
        return {"type": "object", "properties": {}, "required": []}

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        now = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        return (
            f"agent: {ctx.agent_id}\nsession: {ctx.session_key}\nchannel: {ctx.channel}\n"
            f"time: {now}"
        )

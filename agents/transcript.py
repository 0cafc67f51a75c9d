"""Stored messages as the model reads them (`bounded_history`) and as chat.history shows
them (`shown`), including the tool calls and results of turns that used tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from agents.memory import HISTORY_MESSAGES, Row
from agents.models import Message
from agents.providers import ChatMessage
from config.jsontypes import JsonObject

HISTORY_CHARS = 32_000


def _millis(m: Message) -> int:
    return int(m.created_at.timestamp() * 1000) if m.created_at else 0


def _size(row: Row) -> int:
    _role, text, *blocks = row
    return len(text) + (len(json.dumps(blocks[0])) if blocks and blocks[0] else 0)


def _as_message(row: Row) -> ChatMessage:
    role, text, *rest = row
    blocks = tuple(rest[0]) if rest and rest[0] else ()
    if role == "tool":  # tool results go back to the model as the user's turn
        return ChatMessage("user", "", blocks)
    return ChatMessage(role, text, blocks)


def _merge(a: ChatMessage, b: ChatMessage) -> ChatMessage:
    if not a.blocks and not b.blocks:
        return ChatMessage(a.role, a.content + "\n\n" + b.content)
    return ChatMessage(a.role, "", (*a.as_blocks(), *b.as_blocks()))


def _opens(message: ChatMessage) -> bool:
    """A user message of its own words: history may start here (not at tool results,
    whose calls would be missing)."""
    return message.role == "user" and not any(
        b.get("type") == "tool_result" for b in message.blocks
    )


def bounded_history(rows: Sequence[Row]) -> list[ChatMessage]:
    """Newest-last messages within the limits, same-role runs merged, starting with `user`."""
    kept: list[Row] = []
    total = 0
    for row in reversed(rows[-HISTORY_MESSAGES:]):
        total += _size(row)
        if total > HISTORY_CHARS and kept:
            break
        kept.append(row)
    kept.reverse()
    merged: list[ChatMessage] = []
    for row in kept:
        message = _as_message(row)
        if merged and merged[-1].role == message.role:
            merged[-1] = _merge(merged[-1], message)
        else:
            merged.append(message)
    while merged and not _opens(merged[0]):
        merged.pop(0)
    return merged


def shown(m: Message) -> list[JsonObject]:
    """One stored message as chat.history shows it (OpenClaw's shapes): an assistant's tool
    calls as `toolCall` content, each tool result as a `toolResult` message."""
    base: JsonObject = {"timestamp": _millis(m), "ok": m.ok}
    blocks = m.blocks if isinstance(m.blocks, list) else []
    if m.role == "tool":
        return [
            {
                "role": "toolResult",
                "toolCallId": b.get("tool_use_id", ""),
                "toolName": b.get("name", ""),
                "content": [{"type": "text", "text": str(b.get("content") or "")}],
                "isError": bool(b.get("is_error")),
                **base,
            }
            for b in blocks
            if isinstance(b, dict)
        ]
    content: list[JsonObject] = []
    for b in blocks or [{"type": "text", "text": m.text}]:
        if not isinstance(b, dict):
            continue
        if b.get("type") == "tool_use":
            content.append(
                {
                    "type": "toolCall",
                    "id": b.get("id"),
                    "name": b.get("name"),
                    "arguments": b.get("input") or {},
                }
            )
        elif b.get("type") == "text" and (b.get("text") or not blocks):
            content.append({"type": "text", "text": str(b.get("text") or "")})
    return [
        {
            "role": m.role,
            "content": content,
            "model": m.model,
            "provider": m.provider,
            "usage": {"inputTokens": m.tokens_in, "outputTokens": m.tokens_out},
            **base,
        }
    ]

"""`message`: send text to a chat on a connected channel (Discord channel id, `user:ID`,
Telegram chat id), through the sender the channels layer installed (`tools.outbound`).
Only the operator and the agent's owners may: a guest could otherwise make the bot write
anywhere it can."""

from __future__ import annotations

from agents.tools.base import ToolContext, ToolError
from config.jsontypes import JsonObject

MAX_CHARS = 4000


class MessageTool:
    name = "message"
    group = "messaging"
    description = (
        "Send a message to a chat: `target` is a channel or chat id (Discord: a channel id or "
        "user:ID; Telegram: a chat id); `channel` defaults to the one you are talking on."
    )

    def input_schema(self) -> JsonObject:
        return {
            "type": "object",
            "properties": {
                "target": {"type": "string"},
                "text": {"type": "string"},
                "channel": {"type": "string", "description": "discord, telegram, ..."},
            },
            "required": ["target", "text"],
        }

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        if not ctx.owner:
            raise ToolError("only the agent's owners may send messages to other chats")
        target, text = args.get("target"), args.get("text")
        if not isinstance(target, str) or not target.strip():
            raise ToolError("`target` must be a channel or chat id")
        if not isinstance(text, str) or not text.strip():
            raise ToolError("`text` must be non-empty")
        if len(text) > MAX_CHARS:
            raise ToolError(f"`text` is {len(text)} characters; send at most {MAX_CHARS}")
        channel = args.get("channel") or ("" if ctx.channel in ("webchat", "cli") else ctx.channel)
        if not isinstance(channel, str) or not channel:
            raise ToolError("say which `channel` to send on (discord, telegram, ...)")
        if ctx.send_text is None:
            raise ToolError("sending to chats is not available in this process")
        try:
            message_id = await ctx.send_text(channel.lower(), target.strip(), text)
        except (ValueError, RuntimeError, KeyError) as exc:
            raise ToolError(f"{channel}: {exc}") from None
        return f"sent to {target.strip()} on {channel} (message id {message_id})"

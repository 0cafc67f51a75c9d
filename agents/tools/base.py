"""The contract every tool honours, and what a running tool may use (`ToolContext`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from config.jsontypes import JsonObject
from config.schema import EpiloopConfig

Decision = Literal["approve-once", "approve-always", "deny"]


class ToolError(Exception):
    """A refusal or failure the model should read (one line: what is wrong and what to do);
    the loop returns it to the model as the tool's result, marked as an error."""


@dataclass(frozen=True)
class ApprovalRequest:
    tool: str
    summary: str  # what would run: the command line, shown to whoever approves
    agent_id: str
    session_key: str


# Asks the operator (protocol, Control UI) or the chat owner (`/approve ID`); resolves to the
# decision, "deny" on timeout.
AskApproval = Callable[[ApprovalRequest], Awaitable[Decision]]
# Sends text to a channel target through the channel registry; returns the message id.
SendText = Callable[[str, str, str], Awaitable[str]]  # (channel, target, text)


@dataclass(frozen=True)
class ToolContext:
    agent_id: str
    session_key: str
    workspace: Path
    config: EpiloopConfig
    channel: str = "webchat"
    chat_kind: str = ""
    sender_id: str = ""
    sender_name: str = ""
    owner: bool = False  # the operator or an owner of the agent (full profile)
    ask: AskApproval | None = None
    send_text: SendText | None = None
    extra: dict[str, object] = field(default_factory=dict)


class Tool(Protocol):
    name: str  # as the model sees it: lower_snake, `<server>__<tool>` for MCP tools
    group: str  # "fs", "runtime", "web", "messaging", "sessions", "memory", "mcp", ...
    description: str  # one or two lines: what it does and when to use it

    def input_schema(self) -> JsonObject:
        """JSON Schema of the arguments (an object)."""
        ...

    async def run(self, args: JsonObject, ctx: ToolContext) -> str:
        """The result as text for the model; raise `ToolError` for a refusal or failure."""
        ...

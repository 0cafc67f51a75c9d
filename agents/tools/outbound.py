"""Hooks that the layers above `agents` install for tools: the sender through which tools
send text to a chat (the `message` tool; `agents` never imports `channels_app`, so the
channels layer installs it when it is ready), and the approval asker (`exec`), which the
gateway installs. Every turn's `ToolContext` carries what is installed here."""

from __future__ import annotations

from agents.tools.base import AskApproval, SendText

SEND: SendText | None = None
ASK: AskApproval | None = None


def install(send: SendText | None) -> None:
    global SEND
    SEND = send


def install_ask(ask: AskApproval | None) -> None:
    global ASK
    ASK = ask

"""The hook through which tools send text to a chat (the `message` tool): `agents` never
imports `channels_app`, so the channels layer installs its sender here when it is ready."""

from __future__ import annotations

from agents.tools.base import SendText

SEND: SendText | None = None


def install(send: SendText | None) -> None:
    global SEND
    SEND = send

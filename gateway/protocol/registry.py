"""Method name -> handler. Each methods module exports `METHODS`; they are merged here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

EVENTS = [
    "connect.challenge",
    "chat",
    "agent",
    "tick",
    "health",
    "presence",
    "shutdown",
    "exec.approval.requested",
    "exec.approval.resolved",
]


class Conn(Protocol):
    conn_id: str
    client: dict[str, Any]

    async def send_res(self, req_id: Any, payload: Any) -> None: ...

    async def send_error(self, req_id: Any, code: str, message: str) -> None: ...


@dataclass
class Call:
    conn: Conn
    id: Any
    method: str
    params: dict[str, Any]


Handler = Callable[[Call], Awaitable[Any]]

_methods: dict[str, Handler] | None = None


def methods() -> dict[str, Handler]:
    global _methods
    if _methods is None:
        from gateway.protocol.methods import (
            agents,
            approvals,
            channels,
            chat,
            config,
            sessions,
            system,
            usage,
        )

        merged: dict[str, Handler] = {}
        for module in (system, chat, sessions, channels, agents, config, usage, approvals):
            merged.update(module.METHODS)
        _methods = merged
    return _methods

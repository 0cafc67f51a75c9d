"""Reaching under ASGI to Daphne's socket, for what ASGI cannot say.

ASGI has no notion of how much data waits in a socket's send buffer, and Daphne drops the
close reason. Daphne hands each application `partial(server.handle_reply, protocol)` as its
`send`, so the autobahn protocol (and its Twisted transport) can be found from it. Anywhere
else (in-process test communicators) these helpers return None and callers fall back.
"""

from __future__ import annotations

import functools
from typing import Any


def daphne_protocol(send: Any) -> Any | None:
    if isinstance(send, functools.partial) and send.args:
        protocol = send.args[0]
        if hasattr(protocol, "sendClose") and hasattr(protocol, "transport"):
            return protocol
    return None


def backlog_bytes(protocol: Any | None) -> int:
    """Bytes written to the socket that the client has not taken yet (0 when unknown)."""
    if protocol is None:
        return 0
    transport = getattr(protocol, "transport", None)
    if transport is None:
        return 0
    buffered = len(getattr(transport, "dataBuffer", b"")) - getattr(transport, "offset", 0)
    return buffered + getattr(transport, "_tempDataLen", 0)


def close_with_reason(protocol: Any | None, code: int, reason: str) -> bool:
    """Close with a code and a reason the client can read; False when we could not reach
    the socket. autobahn's public `sendClose` only allows 1000 and 3000-4999, so the
    protocol's 1002/1008/1009 go through `sendCloseFrame` (what Daphne uses for 1011)."""
    if protocol is None or not hasattr(protocol, "sendCloseFrame"):
        return False
    try:
        protocol.sendCloseFrame(code=code, reasonUtf8=reason.encode()[:123], isReply=False)
    except Exception:
        return False
    return True

"""channels.status and send (a message to a chat through a running channel)."""

from __future__ import annotations

import inspect
import time
from typing import Any

from gateway.protocol import channelsinfo
from gateway.protocol.frames import INVALID_REQUEST, UNAVAILABLE, ProtocolError, require_str
from gateway.protocol.registry import Call, Handler


async def channels_status(call: Call) -> dict[str, Any]:
    channels = channelsinfo.summaries()
    return {
        "ts": int(time.time() * 1000),
        "channelOrder": list(channels),
        "channelLabels": {name: channelsinfo.label(name) for name in channels},
        "channels": channels,
    }


async def send(call: Call) -> dict[str, Any]:
    to = require_str(call.params, "to")
    message = require_str(call.params, "message")
    channel = str(call.params.get("channel") or "")
    from channels_app.runner import RUNNING

    if not channel:
        if len(RUNNING) != 1:
            raise ProtocolError(INVALID_REQUEST, "channel is required (discord or telegram)")
        channel = next(iter(RUNNING))
    adapter = RUNNING.get(channel)
    if adapter is None:
        raise ProtocolError(UNAVAILABLE, f"channel {channel} is not running")
    sender = getattr(adapter, "send_text", None)  # (to, text) -> message id
    if sender is None:
        raise ProtocolError(UNAVAILABLE, f"channel {channel} cannot send from the gateway")
    try:
        result = sender(to, message)
        if inspect.isawaitable(result):
            result = await result
    except ValueError as exc:
        raise ProtocolError(INVALID_REQUEST, f"{channel}: {exc}") from None
    except Exception as exc:
        raise ProtocolError(UNAVAILABLE, f"{channel}: {exc}") from None
    message_id = str(result) if isinstance(result, (str, int)) else ""
    return {"ok": True, "channel": channel, "to": to, "messageId": message_id}


METHODS: dict[str, Handler] = {"channels.status": channels_status, "send": send}

"""channels.status and send (a message to a chat through a running channel)."""

from __future__ import annotations

import time
from typing import Any

from channels_app import registry
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
            choices = " or ".join(registry.names())
            raise ProtocolError(INVALID_REQUEST, f"channel is required ({choices})")
        channel = next(iter(RUNNING))
    adapter = RUNNING.get(channel)
    if adapter is None:
        raise ProtocolError(UNAVAILABLE, f"channel {channel} is not running")
    try:
        message_id = await adapter.send_text(to, message)  # every adapter can (contract)
    except ValueError as exc:
        raise ProtocolError(INVALID_REQUEST, f"{channel}: {exc}") from None
    except Exception as exc:
        raise ProtocolError(UNAVAILABLE, f"{channel}: {exc}") from None
    return {"ok": True, "channel": channel, "to": to, "messageId": str(message_id)}


METHODS: dict[str, Handler] = {"channels.status": channels_status, "send": send}

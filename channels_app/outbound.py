"""What the agents' `message` tool sends through: a running channel's `send_text`
(installed into `agents.tools.outbound` when the app is ready)."""

from __future__ import annotations


async def send_text(channel: str, target: str, text: str) -> str:
    from channels_app.runner import RUNNING

    adapter = RUNNING.get(channel)
    if adapter is None:
        running = ", ".join(sorted(RUNNING)) or "none"
        raise RuntimeError(f"channel {channel} is not running (running: {running})")
    return str(await adapter.send_text(target, text))

"""The policy decision and the agent call for one Telegram message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage


class _NeedsDatabase(Exception):
    pass


class _NoDatabase:
    """A pairing store for the first, in-loop attempt at a decision: touching it means the
    decision needs the database, so it is made again in a worker thread."""

    def is_approved(self, inbound: InboundMessage) -> bool:
        raise _NeedsDatabase

    def request(self, inbound: InboundMessage) -> Any:
        raise _NeedsDatabase


async def decide(inbound: InboundMessage, config: Any) -> Any:
    """The shared policy's `Decision`. Most need no database (groups, allowlisted or open
    DMs) and are made in the event loop; pairing lookups go to a worker thread."""
    from channels_app import policy

    try:
        return policy.decide(inbound, config, _NoDatabase())
    except _NeedsDatabase:
        return await sync_to_async(policy.decide, thread_sensitive=True)(inbound, config)


def agents_reply_to() -> Callable[..., Awaitable[Any]]:
    from agents.service import reply_to

    return reply_to

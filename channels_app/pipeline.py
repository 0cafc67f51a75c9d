"""The inbound pipeline every platform's messages go through (DESIGN §2 steps 2-6).

An adapter turns a platform message into an `InboundMessage` and calls `handle(adapter,
inbound)`: a delivery already seen is dropped (`dedupe.py`); the access policy decides
(pairing included); a refused message is logged and recorded with its reason (and the
sender may get a pairing code); an allowed one passes the sender's and the chat's rate
limits (`ratelimit.py`, `limits.inbound`), then gets the typing indicator while the agent
answers (`adapter.reply`, by default `agents.service.reply_to`), and the answer goes out in
chunks of `adapter.chunk_limit`, the first quoting the message it answers.

The database is reached in one way: through the small `sync_to_async` helpers below (and
`drops.arecord_drop`), on the one thread Django's sync code shares.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage
from channels_app import approvals, dedupe, drops, policy, ratelimit
from channels_app.chunking import split_reply
from channels_app.contract import Adapter, ReplyText
from channels_app.policy.dm import PairingAttempt
from config.schema import EpiloopConfig
from config.secrets import redact

DUPLICATE = "duplicate (already answered)"


async def agent_reply(inbound: InboundMessage, *, system_prompt: str = "") -> ReplyText:
    """The default reply function: the agent routed for `inbound` answers."""
    from agents.service import reply_to

    return await reply_to(inbound, system_prompt=system_prompt)


async def handle(adapter: Adapter, inbound: InboundMessage) -> None:
    adapter.state.inbound()
    # Checked before anything else (and before the first await), so concurrent
    # redeliveries of one update are answered once.
    if dedupe.is_duplicate(inbound):
        _log(inbound).debug("duplicate delivery of %s ignored", dedupe.delivery_id(inbound))
        await drops.arecord_drop(inbound, DUPLICATE)
        return
    # `/approve ID` and `/deny ID` never reach the model; an owner's is answered even where
    # the policy would not let them talk (channels_app/approvals.py).
    command = approvals.parse(inbound.text)
    if command is not None and approvals.may_answer(command, inbound, adapter.config):
        await send(adapter, inbound, approvals.answer(command, inbound, adapter.config), quote=True)
        return
    decision = await decide(inbound, adapter.config)
    if not decision.allowed:
        if not decision.quiet:
            await drops.arecord_drop(inbound, decision.reason)
        if decision.reply:
            await send(adapter, inbound, decision.reply, quote=False)
        return
    if command is not None:
        await send(adapter, inbound, approvals.REFUSAL, quote=True)
        return
    limited = ratelimit.guard(inbound, adapter.config)
    if not limited.allowed:
        await drops.arecord_drop(inbound, limited.reason)
        if limited.tell:
            await send(adapter, inbound, limited.tell, quote=False)
        return
    try:
        async with adapter.typing(inbound):
            reply = await adapter.reply(inbound, system_prompt=decision.system_prompt)
    except Exception as exc:
        _log(inbound).exception("reply to %s failed", drops.where(inbound))
        adapter.state.error(redact(f"reply to {drops.where(inbound)} failed: {exc!r}"))
        return
    await send(adapter, inbound, reply.text, quote=True)


async def send(adapter: Adapter, inbound: InboundMessage, text: str, *, quote: bool) -> int:
    """Send `text` to the chat of `inbound` in chunks; how many went out. The first chunk
    quotes `inbound` when `quote`; a chunk that fails ends the reply."""
    sent = 0
    for index, chunk in enumerate(split_reply(text, adapter.chunk_limit)):
        if not await adapter.send_chunk(inbound, chunk, quote=quote and index == 0):
            break
        sent += 1
    if sent:
        adapter.state.outbound()
    return sent


class _NeedsDatabase(Exception):
    pass


class _NoDatabase:
    """A pairing store for the first, in-loop attempt at a decision: touching it means the
    decision needs the database, so it is made again on the database thread."""

    def is_approved(self, inbound: InboundMessage) -> bool:
        raise _NeedsDatabase

    def request(self, inbound: InboundMessage) -> PairingAttempt:
        raise _NeedsDatabase


async def decide(inbound: InboundMessage, config: EpiloopConfig) -> policy.Decision:
    """The policy's `Decision`. Most need no database (groups, allowlisted or open DMs) and
    are made in the event loop; pairing lookups go to the database thread."""
    try:
        return policy.decide(inbound, config, _NoDatabase())
    except _NeedsDatabase:
        return await decide_with_database(inbound, config)


@sync_to_async(thread_sensitive=True)
def decide_with_database(inbound: InboundMessage, config: EpiloopConfig) -> policy.Decision:
    return policy.decide(inbound, config)


def _log(inbound: InboundMessage) -> logging.Logger:
    return logging.getLogger(f"epiloop.{inbound.channel}")

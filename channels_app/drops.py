"""Every message the policy refuses is explained: one INFO line
`[discord] drop message GUILD/CHANNEL from USER: REASON` and a row in a bounded table
(newest `KEEP`) shown in the admin."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage
from channels_app.models import DroppedMessage

KEEP = 1000


def where(inbound: InboundMessage) -> str:
    return f"{inbound.guild_id or inbound.chat_kind}/{inbound.chat_id}"


def log_drop(inbound: InboundMessage, reason: str) -> None:
    logging.getLogger(f"epiloop.{inbound.channel}").info(
        "drop message %s from %s: %s", where(inbound), inbound.sender_id, reason
    )


def record_drop(inbound: InboundMessage, reason: str) -> DroppedMessage:
    """Log the drop and keep it in the table (trimmed to the newest `KEEP` rows)."""
    log_drop(inbound, reason)
    row = DroppedMessage.objects.create(
        channel=inbound.channel,
        account_id=inbound.account_id,
        chat_kind=inbound.chat_kind,
        guild_id=inbound.guild_id,
        chat_id=inbound.chat_id,
        chat_name=(inbound.chat_name or inbound.guild_name)[:200],
        sender_id=inbound.sender_id,
        sender_name=(inbound.sender_name or inbound.sender_username)[:200],
        reason=reason[:300],
        text=inbound.text[:200],
    )
    trim()
    return row


def trim(keep: int = KEEP) -> None:
    cutoff = list(
        DroppedMessage.objects.order_by("-id").values_list("id", flat=True)[keep : keep + 1]
    )
    if cutoff:
        DroppedMessage.objects.filter(id__lte=cutoff[0]).delete()


arecord_drop = sync_to_async(record_drop, thread_sensitive=True)

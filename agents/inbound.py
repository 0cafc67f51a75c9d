"""Platform-neutral inbound message: adapters in `channels_app` build it, routing reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ChatKind = Literal["dm", "group", "channel"]


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # "discord" | "telegram" | "webchat" | ...
    chat_kind: ChatKind
    chat_id: str
    sender_id: str
    text: str
    account_id: str = "default"
    guild_id: str = ""  # Discord guild id; Telegram: empty
    team_id: str = ""
    sender_name: str = ""
    sender_username: str = ""  # Telegram @username without the @
    sender_is_bot: bool = False
    sender_is_self: bool = False  # the bot's own message (ignored quietly)
    mentions_bot: bool = False
    reply_to_bot: bool = False
    message_id: str = ""
    # Discord: guild name, channel name, parent channel id/name for threads.
    guild_name: str = ""
    chat_name: str = ""
    parent_chat_id: str = ""
    parent_chat_name: str = ""
    thread_id: str = ""  # Telegram forum topic id
    extra: dict[str, str] = field(default_factory=dict)

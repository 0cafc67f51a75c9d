"""Telegram updates -> platform-neutral `InboundMessage`.

A message mentions the bot when its text or entities hold `@botusername`, a text mention of
the bot's user, or a `/command@botusername`; it replies to the bot when it answers one of
the bot's messages (a forum topic's implicit reply to the topic's first message does not
count). `mentionPatterns` are matched later by the shared policy.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update

from agents.inbound import ChatKind, InboundMessage

_KINDS: dict[str, ChatKind] = {
    "private": "dm",
    "group": "group",
    "supergroup": "group",
    "channel": "channel",
}


def _entity_text(text: str, entity: MessageEntity) -> str:
    """The entity's slice; Telegram offsets count UTF-16 code units."""
    raw = text.encode("utf-16-le")
    start, end = entity.offset * 2, (entity.offset + entity.length) * 2
    return raw[start:end].decode("utf-16-le", errors="ignore")


def mentions_bot(message: Message, text: str, bot_username: str, bot_id: int) -> bool:
    name = bot_username.lower()
    entities = list(message.entities or ()) + list(message.caption_entities or ())
    for entity in entities:
        kind = entity.type
        if kind == "text_mention" and entity.user and entity.user.id == bot_id:
            return True
        if kind == "mention" and _entity_text(text, entity).lower() == f"@{name}":
            return True
        if kind == "bot_command" and _entity_text(text, entity).lower().endswith(f"@{name}"):
            return True
    # Clients that send no entities (and forwarded text) still count.
    pattern = rf"(?<![\w@])@{re.escape(name)}(?!\w)"
    return bool(name) and re.search(pattern, text, re.IGNORECASE) is not None


def replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return False
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return False  # every forum topic message "replies" to the topic's first message
    return bool(replied.from_user.id == bot_id)


def to_inbound(update: Update, bot_username: str, bot_id: int) -> InboundMessage | None:
    """The update as an `InboundMessage`, or None when it is nothing to answer (edits,
    channel posts, service messages, messages without text)."""
    message = update.message
    if message is None or message.from_user is None:
        return None
    text = message.text or message.caption or ""
    if not text.strip():
        return None
    chat, user = message.chat, message.from_user
    kind = _KINDS.get(chat.type)
    if kind is None or kind == "channel":
        return None
    thread = ""
    if chat.is_forum and message.is_topic_message and message.message_thread_id:
        thread = str(message.message_thread_id)
    return InboundMessage(
        channel="telegram",
        chat_kind=kind,
        chat_id=str(chat.id),
        sender_id=str(user.id),
        text=text,
        sender_name=user.full_name or "",
        sender_username=user.username or "",
        sender_is_bot=bool(user.is_bot),
        mentions_bot=kind != "dm" and mentions_bot(message, text, bot_username, bot_id),
        reply_to_bot=replies_to_bot(message, bot_id),
        message_id=str(message.message_id),
        chat_name=chat.title or "",
        thread_id=thread,
        extra={"delivery_id": f"update:{update.update_id}"},
    )

"""Telegram updates become InboundMessages with the right chat kind, topic and mention flags."""

from __future__ import annotations

from typing import Any

from telegram import Update

from channels_app.telegram.inbound import to_inbound
from tests.fakes.telegram import FakeTelegram

FAKE = FakeTelegram()  # only its update builders are used here; no server runs
BOT = FAKE.username
BOT_ID = FAKE.bot_id


def inbound(text: str, **kw: Any) -> Any:
    kw.setdefault("chat_id", -100123)
    kw.setdefault("chat_type", "supergroup")
    update = Update.de_json({"update_id": 1, **FAKE.message_update(text, **kw)}, None)
    return to_inbound(update, BOT, BOT_ID)


def mention(text: str, word: str) -> list[dict[str, Any]]:
    start = len(text[: text.index(word)].encode("utf-16-le")) // 2
    return [{"type": "mention", "offset": start, "length": len(word)}]


def test_a_private_chat_is_a_dm_from_its_sender() -> None:
    msg = inbound("hello", chat_id=42, chat_type="private", user_id=42, username="alice")
    assert msg.chat_kind == "dm" and msg.chat_id == "42" and msg.sender_id == "42"
    assert msg.sender_username == "alice" and msg.channel == "telegram"


def test_a_mention_entity_of_the_bot_counts() -> None:
    text = f"🙂🙂 hi @{BOT} there"
    assert inbound(text, entities=mention(text, f"@{BOT}")).mentions_bot


def test_a_mention_of_someone_else_does_not_count() -> None:
    text = f"hi @{BOT}x and @bob"
    assert not inbound(text, entities=mention(text, "@bob")).mentions_bot


def test_the_bot_name_in_plain_text_counts_case_insensitively() -> None:
    assert inbound(f"hey @{BOT.upper()}, what's up").mentions_bot
    assert not inbound(f"mail me at x@{BOT}.com").mentions_bot


def test_a_command_addressed_to_the_bot_counts() -> None:
    text = f"/ask@{BOT} what time is it"
    entities = [{"type": "bot_command", "offset": 0, "length": len(f"/ask@{BOT}")}]
    assert inbound(text, entities=entities).mentions_bot
    assert not inbound(
        "/ask@otherbot hi", entities=[{"type": "bot_command", "offset": 0, "length": 13}]
    ).mentions_bot


def test_a_reply_to_the_bot_is_flagged() -> None:
    assert inbound("and then?", reply_to_bot=True).reply_to_bot
    assert not inbound("and then?").reply_to_bot


def test_a_forum_topic_message_keeps_its_topic() -> None:
    msg = inbound(f"@{BOT} hi", thread_id=77)
    assert msg.thread_id == "77" and msg.chat_kind == "group"


def test_messages_without_text_are_ignored() -> None:
    assert inbound("   ") is None

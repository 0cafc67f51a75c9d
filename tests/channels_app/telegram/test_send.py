"""The gateway protocol's `send {to, message, channel}` through a running Telegram adapter:
the real python-telegram-bot against the fake Bot API, the protocol in-process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from channels_app import runner
from channels_app.telegram.adapter import TelegramAdapter
from tests.fakes.telegram import FakeTelegram
from tests.gateway.protocol.inproc import Conn, operator

pytestmark = pytest.mark.django_db(transaction=True)


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def conn(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Conn]:
    async with operator(monkeypatch) as c:
        yield c


@pytest.fixture
async def running(start_adapter: Any, monkeypatch: pytest.MonkeyPatch) -> TelegramAdapter:
    adapter: TelegramAdapter = await start_adapter({"textChunkLimit": 60})
    await until(lambda: adapter.state.connected)
    monkeypatch.setitem(runner.RUNNING, "telegram", adapter)
    return adapter


async def test_send_delivers_a_message_to_a_telegram_chat(
    conn: Conn, running: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    res = await conn.call("send", {"to": "42", "message": "hello from the gateway"})
    payload = res["payload"]
    assert (payload["ok"], payload["channel"], payload["to"]) == (True, "telegram", "42")
    assert payload["messageId"].isdigit()
    [message] = fake_telegram.sent(42)
    assert message["text"] == "hello from the gateway"
    assert "reply_parameters" not in message
    assert running.status()["last_outbound"]


async def test_a_long_message_is_sent_in_chunks_and_the_last_id_returned(
    conn: Conn, running: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    text = " ".join(f"word{i}" for i in range(40))
    first = await conn.call("send", {"to": "user:42", "message": "x", "channel": "telegram"})
    res = await conn.call("send", {"to": "user:42", "message": text, "channel": "telegram"})
    messages = fake_telegram.sent(42)[1:]
    assert len(messages) >= 4 and all(len(m["text"]) <= 60 for m in messages)
    assert " ".join(m["text"] for m in messages) == text
    last_id = int(res["payload"]["messageId"])
    assert last_id == int(first["payload"]["messageId"]) + len(messages)


async def test_a_forum_topic_is_a_target(
    conn: Conn, running: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    res = await conn.call("send", {"to": "-100123:topic:9", "message": "in the topic"})
    assert res["ok"]
    [message] = fake_telegram.sent(-100123)
    assert message["message_thread_id"] == 9


async def test_a_target_that_is_not_a_chat_id_is_named(
    conn: Conn, running: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    res = await conn.call("send", {"to": "general", "message": "x", "channel": "telegram"})
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"].startswith("telegram: not a Telegram chat id: 'general'")
    assert fake_telegram.sent() == []


async def test_a_chat_that_refuses_the_bot_makes_send_unavailable_with_the_reason(
    conn: Conn, running: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("sendMessage", 403)
    res = await conn.call("send", {"to": "42", "message": "anyone?", "channel": "telegram"})
    assert res["error"]["code"] == "UNAVAILABLE"
    assert res["error"]["message"].startswith("telegram: cannot send to chat 42: Forbidden")

"""The Telegram adapter with the real python-telegram-bot against the fake Bot API,
in-process (the agent is an echo; the end-to-end tests use the real agent service)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.test import AsyncClient

from channels_app.models import DroppedMessage, PairingRequest
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.django_db(transaction=True)

BOT = "epiloop_test_bot"


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def sent(fake: FakeTelegram, count: int = 1, chat_id: int | None = None) -> list[dict]:
    return await until(lambda: (lambda s: s if len(s) >= count else None)(fake.sent(chat_id)))


async def logged_in(tg_log: Any) -> None:
    await until(lambda: tg_log.matching(f"logged in to telegram as @{BOT}"))


async def test_it_logs_in_deletes_any_webhook_and_polls(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    adapter = await start_adapter()
    await logged_in(tg_log)
    await until(lambda: "getUpdates" in fake_telegram.methods())
    methods = fake_telegram.methods()
    assert methods.index("getMe") < methods.index("deleteWebhook") < methods.index("getUpdates")
    status = adapter.status()
    assert status["connected"] and status["bot_user"] == f"@{BOT}" and status["mode"] == "polling"


async def test_an_allowlisted_dm_is_answered_in_the_same_chat_with_typing_first(
    start_adapter: Any, fake_telegram: FakeTelegram, echo_agent: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("channels_app.telegram.outbound.TYPING_EVERY", 0.1)
    echo_agent.delay = 0.6
    adapter = await start_adapter({"dmPolicy": "allowlist", "allowFrom": ["@alice"]})
    fake_telegram.dm("hello bot", user_id=42, username="alice")
    [message] = await sent(fake_telegram, chat_id=42)
    assert message["text"] == "echo: hello bot"
    assert "reply_parameters" not in message  # DMs are answered plainly
    methods = fake_telegram.methods()
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    typing = fake_telegram.calls("sendChatAction")
    assert typing[0]["action"] == "typing" and typing[0]["chat_id"] == 42
    assert len(typing) >= 2  # repeated while the agent runs
    await until(lambda: adapter.status()["last_outbound"])  # set once Telegram answered


async def test_dm_pairing_round_trip(
    start_adapter: Any, fake_telegram: FakeTelegram, echo_agent: Any
) -> None:
    await start_adapter()
    fake_telegram.dm("hi", user_id=77, username="carol")
    [first] = await sent(fake_telegram, chat_id=77)
    code = re.search(r"pairing code is ([A-Z0-9]{8})", first["text"]).group(1)  # type: ignore[union-attr]
    assert echo_agent.seen == []
    assert await PairingRequest.objects.filter(code=code, sender_id="77").aexists()
    await sync_to_async(call_command)("pairing", "approve", "telegram", code)
    fake_telegram.dm("now?", user_id=77, username="carol")
    replies = await sent(fake_telegram, 2, chat_id=77)
    assert replies[1]["text"] == "echo: now?"


async def test_a_group_message_without_mention_is_dropped_with_its_reason(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any, echo_agent: Any
) -> None:
    await start_adapter({"groups": {"-100123": {"systemPrompt": "Be brief."}}})
    fake_telegram.group("just chatting", chat_id=-100123)
    drop = await until(lambda: tg_log.matching("drop message group/-100123 from 42"))
    assert "no mention" in drop[0]
    row = await DroppedMessage.objects.aget()
    assert row.channel == "telegram" and row.reason.startswith("no mention")
    assert fake_telegram.sent() == [] and echo_agent.seen == []


async def test_a_mention_in_a_forum_topic_is_answered_in_that_topic(
    start_adapter: Any, fake_telegram: FakeTelegram, echo_agent: Any
) -> None:
    echo_agent.delay = 0.4  # long enough for "typing…" (TYPING_GRACE)
    await start_adapter({"groups": {"-100123": {"systemPrompt": "Be brief."}}})
    update = fake_telegram.group(f"@{BOT} what's new?", chat_id=-100123, thread_id=9)
    [message] = await sent(fake_telegram, chat_id=-100123)
    assert message["text"] == f"echo: @{BOT} what's new?"
    assert message["message_thread_id"] == 9
    assert message["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert fake_telegram.calls("sendChatAction")[0]["message_thread_id"] == 9
    assert echo_agent.seen[0][1] == "Be brief."


async def test_a_long_reply_with_code_fences_arrives_as_valid_chunks(
    start_adapter: Any, fake_telegram: FakeTelegram, echo_agent: Any
) -> None:
    block = "```python\n" + "\n".join(f"print({i})  # line {i}" for i in range(120)) + "\n```\n"
    text = ""
    while len(text) < 9000:
        text += "Some prose before the code.\n\n" + block + "\n"
    echo_agent.replies["long please"] = text
    await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
    fake_telegram.dm("long please")
    await until(lambda: sum(len(m["text"]) for m in fake_telegram.sent()) >= len(text) * 0.95)
    chunks = [m["text"] for m in fake_telegram.sent()]
    assert len(chunks) >= 3
    assert all(len(c) <= 4000 for c in chunks)
    assert all(c.count("```") % 2 == 0 for c in chunks)
    assert "".join(chunks).count("print(119)") == text.count("print(119)")


async def test_flood_control_is_waited_out_and_nothing_is_lost(
    start_adapter: Any, fake_telegram: FakeTelegram
) -> None:
    await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
    fake_telegram.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    fake_telegram.dm("are you there?")
    [message] = await sent(fake_telegram)
    assert message["text"] == "echo: are you there?"
    assert time.monotonic() - started >= 1.0


async def test_a_blocked_bot_is_reported_once(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any, echo_agent: Any
) -> None:
    adapter = await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
    fake_telegram.fail("sendMessage", 403, times=-1)
    fake_telegram.fail("sendChatAction", 403, times=-1)
    fake_telegram.dm("one")
    fake_telegram.dm("two")
    await until(lambda: len(echo_agent.seen) == 2)
    await asyncio.sleep(0.3)
    assert len(tg_log.matching("cannot send to chat 42")) == 1
    assert "bot was blocked" in adapter.status()["last_error"]


async def test_a_polling_conflict_is_reported_in_one_line_and_polling_resumes(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    fake_telegram.fail("getUpdates", 409, times=3)
    adapter = await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
    await until(lambda: tg_log.matching("409 Conflict"))
    assert "another process is polling this bot token" in tg_log.matching("409 Conflict")[0]
    assert "409" in adapter.status()["last_error"]
    fake_telegram.dm("still there?")
    await sent(fake_telegram)
    assert len(tg_log.matching("409 Conflict")) == 1
    assert adapter.status()["connected"]


async def test_an_invalid_token_is_reported_once_and_not_retried(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    adapter = await start_adapter({"botToken": "999:wrong-token-abc"})
    await until(lambda: tg_log.matching("bot token was rejected"))
    await asyncio.sleep(1.0)
    assert len(tg_log.matching("bot token was rejected")) == 1
    assert fake_telegram.methods() == ["getMe"]
    status = adapter.status()
    assert status["fatal"] and not status["connected"]
    assert "999:wrong-token-abc" not in json.dumps(status)


async def test_webhook_mode_registers_the_secret_and_checks_it(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    url = "https://my-epiloop.example/telegram-webhook/k3y"
    await start_adapter(
        {
            "webhookUrl": url,
            "webhookSecret": "hook-secret-1",
            "dmPolicy": "open",
            "allowFrom": ["*"],
        }
    )
    await until(lambda: fake_telegram.webhook["url"])
    assert fake_telegram.webhook == {"url": url, "secret_token": "hook-secret-1"}
    assert "getUpdates" not in fake_telegram.methods()

    client = AsyncClient()
    update = {"update_id": 5001, **fake_telegram.message_update("via hook", chat_id=42)}
    body = json.dumps(update)
    wrong = await client.post(
        "/telegram-webhook/k3y",
        body,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
    )
    assert wrong.status_code == 403
    right = await client.post(
        "/telegram-webhook/k3y",
        body,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret-1"},
    )
    assert right.status_code == 200
    [message] = await sent(fake_telegram)
    assert message["text"] == "echo: via hook"
    assert len(fake_telegram.sent()) == 1  # the refused request was not processed
    assert len(tg_log.matching("webhook request refused (403)")) == 1


async def test_other_paths_are_not_taken_by_the_webhook(start_adapter: Any) -> None:
    response = await AsyncClient().post(
        "/telegram-webhook/other", "{}", content_type="application/json"
    )
    assert response.status_code == 404


async def asgi_post(app: Any, path: str, body: bytes, secret: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"x-telegram-bot-api-secret-token", secret.encode())],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent_messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent_messages.append(message)

    await app(scope, receive, send)
    if not sent_messages:
        return 0, b""  # passed on to Django (not answered here)
    return sent_messages[0]["status"], sent_messages[1]["body"]


async def test_the_asgi_fast_path_answers_webhooks_before_django(
    start_adapter: Any, fake_telegram: FakeTelegram
) -> None:
    from channels_app.webhooks import fast_path

    passed_on: list[str] = []

    async def django_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        passed_on.append(scope["path"])

    app = fast_path(django_app)
    await start_adapter(
        {
            "webhookUrl": "https://x.example/tg/k3y",
            "webhookSecret": "s-42",
            "dmPolicy": "open",
            "allowFrom": ["*"],
        }
    )
    await until(lambda: fake_telegram.webhook["url"])
    body = json.dumps({"update_id": 7, **fake_telegram.message_update("fast", chat_id=42)})
    assert (await asgi_post(app, "/tg/k3y", body.encode(), "nope"))[0] == 403
    status, payload = await asgi_post(app, "/tg/k3y", body.encode(), "s-42")
    assert (status, json.loads(payload)) == (200, {"ok": True})
    [message] = await sent(fake_telegram)
    assert message["text"] == "echo: fast"
    assert (await asgi_post(app, "/tg/k3y", b"not json", "s-42"))[0] == 400
    assert (await asgi_post(app, "/healthz", b"", ""))[0] == 0
    assert passed_on == ["/healthz"]


async def test_a_new_token_in_the_config_reconnects_the_bot(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    from config import runtime
    from config.schema import EpiloopConfig

    other = FakeTelegram(token="424242:second-token-xyz", username="second_bot").start()
    try:
        adapter = await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
        await logged_in(tg_log)
        section: dict[str, Any] = {"botToken": other.token, "apiRoot": other.url}
        section.update(dmPolicy="open", allowFrom=["*"])
        await asyncio.to_thread(
            runtime.set_current,
            EpiloopConfig.model_validate({"channels": {"telegram": section}}),
        )
        await until(lambda: tg_log.matching("logged in to telegram as @second_bot"))
        other.dm("hello new bot")
        [message] = await sent(other)
        assert message["text"] == "echo: hello new bot"
        assert adapter.status()["bot_user"] == "@second_bot"
    finally:
        other.stop()


async def test_without_the_gateway_the_webhook_gets_its_own_http_server(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any, monkeypatch: Any
) -> None:
    import httpx

    from channels_app.webhooks import Address
    from tests.support.gateway import free_port

    port = free_port()
    # What runchannel says (it resolves the gateway's bind and port).
    monkeypatch.setattr("channels_app.webhooks.ALONE", Address("127.0.0.1", port))
    await start_adapter(
        {
            "webhookUrl": "https://w.example/tg/hook",
            "webhookSecret": "s-7",
            "dmPolicy": "open",
            "allowFrom": ["*"],
        },
        gateway_http=False,  # as under runchannel
    )
    await until(lambda: tg_log.matching(f"serving the webhook on http://127.0.0.1:{port}"), 10)
    update = {"update_id": 1, **fake_telegram.message_update("standalone", chat_id=42)}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s-7"}
        wrong = await client.post(
            "/tg/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
        )
        assert wrong.status_code == 403
        right = await client.post("/tg/hook", json=update, headers=headers)
        assert right.status_code == 200 and right.json() == {"ok": True}
        again = await client.post("/tg/hook", json={**update, "update_id": 2}, headers=headers)
        assert again.status_code == 200  # the same keep-alive connection
        assert (await client.post("/elsewhere", json=update, headers=headers)).status_code == 404
    messages = await sent(fake_telegram, 2)
    assert [m["text"] for m in messages] == ["echo: standalone", "echo: standalone"]


async def test_server_errors_at_login_are_reported_once_and_retried_with_backoff(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    fake_telegram.fail("getMe", 502, "Bad Gateway", times=3)
    adapter = await start_adapter()
    await logged_in(tg_log)
    assert len(tg_log.matching("cannot reach Telegram")) == 1
    assert [m for m in fake_telegram.methods() if m == "getMe"] == ["getMe"] * 4
    assert adapter.status()["connected"]


async def test_a_malformed_update_is_ignored_and_the_next_one_answered(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    await start_adapter(
        {
            "webhookUrl": "https://x.example/tg/m",
            "webhookSecret": "s-1",
            "dmPolicy": "open",
            "allowFrom": ["*"],
        }
    )
    await until(lambda: fake_telegram.webhook["url"])
    client = AsyncClient()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s-1"}
    bad = {"update_id": 1, "message": {"text": "no chat, no date"}}
    response = await client.post(
        "/tg/m", json.dumps(bad), content_type="application/json", headers=headers
    )
    assert response.status_code == 200  # acknowledged, so Telegram does not resend it forever
    assert tg_log.matching("ignoring an update that cannot be read")
    good = {"update_id": 2, **fake_telegram.message_update("fine", chat_id=42)}
    await client.post("/tg/m", json.dumps(good), content_type="application/json", headers=headers)
    [message] = await sent(fake_telegram)
    assert message["text"] == "echo: fine"


async def test_an_unusable_setting_is_reported_and_the_bot_stays_off(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    adapter = await start_adapter({"webhookUrl": "not-a-url"})
    [line] = tg_log.matching("not starting: channels.telegram.webhookUrl")
    assert line.startswith("[telegram] error:")
    assert adapter.status()["fatal"]
    await asyncio.sleep(0.2)
    assert fake_telegram.methods() == []


async def test_a_redelivered_webhook_update_is_answered_once(
    start_adapter: Any, fake_telegram: FakeTelegram, tg_log: Any
) -> None:
    await start_adapter(
        {
            "webhookUrl": "https://my-epiloop.example/telegram-webhook/k3y",
            "webhookSecret": "hook-secret-1",
            "dmPolicy": "open",
            "allowFrom": ["*"],
        }
    )
    await until(lambda: fake_telegram.webhook["url"])
    client = AsyncClient()
    body = json.dumps({"update_id": 6001, **fake_telegram.message_update("once", chat_id=42)})
    for _ in range(3):  # Telegram retries a webhook it thinks was not delivered
        response = await client.post(
            "/telegram-webhook/k3y",
            body,
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret-1"},
        )
        assert response.status_code == 200
    await sent(fake_telegram)
    await until(lambda: len(tg_log.matching("duplicate (already answered)")) == 2)
    await asyncio.sleep(0.2)
    assert [m["text"] for m in fake_telegram.sent()] == ["echo: once"]
    reasons = await sync_to_async(
        lambda: list(DroppedMessage.objects.values_list("reason", flat=True))
    )()
    assert reasons == ["duplicate (already answered)"] * 2


async def test_a_replayed_polled_update_is_answered_once(
    start_adapter: Any, fake_telegram: FakeTelegram, echo_agent: Any
) -> None:
    await start_adapter({"dmPolicy": "open", "allowFrom": ["*"]})
    update = fake_telegram.dm("only once")
    await sent(fake_telegram)
    fake_telegram.replay(update)  # as after a crash that never confirmed it
    await until(lambda: not fake_telegram._replays)
    fake_telegram.dm("next")
    messages = await sent(fake_telegram, 2)
    await asyncio.sleep(0.2)
    assert [m["text"] for m in fake_telegram.sent()] == ["echo: only once", "echo: next"]
    assert [inbound.text for inbound, _ in echo_agent.seen] == ["only once", "next"]
    assert len(messages) == 2

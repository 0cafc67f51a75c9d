"""A new chat platform is one folder and one registry line (ARCHITECTURE.md): the loopback
`echo` platform of `tests/channels_app/echo/`, registered here at test time, is validated,
started, policed, answered by a (fake) model, shown and sent to like Discord and Telegram."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
from asgiref.sync import sync_to_async

from channels_app import registry, runner
from channels_app.models import DroppedMessage
from config import runtime, schema_channels
from config.io import load_text
from config.schema import EpiloopConfig
from gateway.reload import channels_changed
from tests.channels_app.echo.adapter import EchoAdapter, Sent
from tests.fakes.anthropic.server import FakeAnthropic
from tests.gateway.protocol.inproc import Conn, operator

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = "claude-sonnet-4-6"


@pytest.fixture(autouse=True)
def echo_platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The one registry line, and its `channels.echo` schema, for this test only."""
    monkeypatch.setitem(registry.PLATFORMS, "echo", "tests.channels_app.echo")
    monkeypatch.setattr(schema_channels, "_CHANNELS", dict(schema_channels._CHANNELS))
    registry.platform("echo").register()
    yield
    runtime.reset()


def config(fake: FakeAnthropic, **echo: Any) -> EpiloopConfig:
    cfg = EpiloopConfig.model_validate(
        {
            "agents": {"defaults": {"model": {"primary": f"anthropic/{MODEL}"}}},
            "models": {
                "providers": {"anthropic": {"baseUrl": fake.url, "apiKey": "test-key-anthropic"}}
            },
            "channels": {
                "discord": {"enabled": False},
                "telegram": {"enabled": False},
                "echo": {"token": "loopback-not-a-secret", "allowFrom": ["42"], **echo},
            },
        }
    )
    runtime.set_current(cfg)
    return cfg


@pytest.fixture
async def echo(fake_anthropic: FakeAnthropic) -> AsyncIterator[EchoAdapter]:
    """The echo channel as the gateway starts it: through the runner."""
    from agents import keys

    keys.forget()
    await runner.start_enabled(config(fake_anthropic))
    assert list(runner.RUNNING) == ["echo"]
    yield cast(EchoAdapter, runner.RUNNING["echo"])
    await runner.stop_all()
    from agents.providers.clients import close_all
    from agents.service import drain

    await drain()
    await close_all()
    keys.forget()


@pytest.fixture
async def conn(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Conn]:
    async with operator(monkeypatch) as c:
        yield c


def test_its_config_section_is_validated_with_json_paths() -> None:
    result = load_text('{"channels": {"echo": {"textChunkLimit": "many"}}}', environ={})
    assert result.errors == ['channels.echo.textChunkLimit: must be a whole number (got "many")']
    ok = load_text('{"channels": {"echo": {"allowFrom": 42}}}', environ={}).config
    assert ok is not None and registry.platform("echo").dms_open(ok) is False


async def test_a_message_the_policy_refuses_is_recorded_with_its_reason(
    echo: EchoAdapter, fake_anthropic: FakeAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="epiloop.echo"):
        await echo.receive("let me in", sender="99")
    assert "drop message dm/dm-99 from 99: sender not in allowFrom (dmPolicy allowlist)" in (
        caplog.messages
    )
    row = await sync_to_async(DroppedMessage.objects.get)()
    assert (row.channel, row.sender_id) == ("echo", "99")
    assert row.reason == "sender not in allowFrom (dmPolicy allowlist)"
    assert echo.outbox == [] and fake_anthropic.requests == []


async def test_an_allowed_message_is_answered_by_the_model_in_chunks(
    echo: EchoAdapter, fake_anthropic: FakeAnthropic
) -> None:
    answer = "The first paragraph of the answer.\n\nThe second paragraph, a bit longer."
    fake_anthropic.script(text=answer)
    await echo.receive("hello there", sender="42", message_id="77")
    assert [seen.body["messages"][-1]["content"] for seen in fake_anthropic.requests] == [
        "hello there"
    ]
    assert echo.typing_in == ["dm-42"]
    assert [(s.chat_id, s.text, s.quoted) for s in echo.outbox] == [
        ("dm-42", "The first paragraph of the answer.", "77"),
        ("dm-42", "The second paragraph, a bit longer.", ""),
    ]
    status = echo.status()
    assert status["last_inbound"] and status["last_outbound"]


async def test_channels_status_shows_it_by_its_label(echo: EchoAdapter, conn: Conn) -> None:
    status = (await conn.call("channels.status"))["payload"]
    assert "echo" in status["channelOrder"]
    assert status["channelLabels"]["echo"] == "Echo"
    shown = status["channels"]["echo"]
    assert (shown["configured"], shown["enabled"], shown["running"]) == (True, True, True)
    assert (shown["connected"], shown["botUser"]) == (True, "echo-bot")


async def test_the_protocols_send_delivers_through_its_send_text(
    echo: EchoAdapter, conn: Conn
) -> None:
    text = "A message from the operator, long enough to need two messages here."
    res = await conn.call("send", {"to": "dm-7", "message": text, "channel": "echo"})
    assert res["payload"] == {
        "ok": True,
        "channel": "echo",
        "to": "dm-7",
        "messageId": echo.outbox[-1].message_id,
    }
    assert len(echo.outbox) == 2 and all(isinstance(s, Sent) for s in echo.outbox)
    assert " ".join(s.text for s in echo.outbox) == text
    bad = await conn.call("send", {"to": "general", "message": "x", "channel": "echo"})
    assert bad["error"] == {
        "code": "INVALID_REQUEST",
        "message": "echo: not an echo chat: 'general' (use dm-ID)",
    }


def test_reload_reconnects_it_only_when_a_reconnect_key_changes(
    fake_anthropic: FakeAnthropic,
) -> None:
    old = config(fake_anthropic)
    assert channels_changed(old, config(fake_anthropic, allowFrom=["42", "43"])) == []
    assert channels_changed(old, config(fake_anthropic, token="another")) == ["echo"]

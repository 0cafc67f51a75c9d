"""`limits.inbound` in the pipeline, through the loopback echo platform: a sender over the
limit is told once, their further messages are dropped with the reason, and owners and
`exempt` senders pass."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage
from channels_app import ratelimit, registry
from channels_app.models import DroppedMessage
from config import runtime, schema_channels
from config.schema import EpiloopConfig
from tests.channels_app.echo.adapter import EchoAdapter

pytestmark = pytest.mark.django_db(transaction=True)

TOO_FAST = "You're sending messages too fast; I'll answer again in 3 s."


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Reply:
    text: str


async def echo_reply(inbound: InboundMessage, *, system_prompt: str = "") -> Reply:
    return Reply(f"echo: {inbound.text}")


@pytest.fixture(autouse=True)
def echo_platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(registry.PLATFORMS, "echo", "tests.channels_app.echo")
    monkeypatch.setattr(schema_channels, "_CHANNELS", dict(schema_channels._CHANNELS))
    registry.platform("echo").register()
    yield
    runtime.reset()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit, "LIMITER", ratelimit.RateLimiter(clock))
    return clock


def adapter(**doc: Any) -> EchoAdapter:
    cfg = EpiloopConfig.model_validate(
        {
            "channels": {
                "discord": {"enabled": False},
                "telegram": {"enabled": False},
                "echo": {
                    "token": "loopback-not-a-secret",
                    "allowFrom": ["42", "7"],
                    "textChunkLimit": 200,
                },
            },
            **doc,
        }
    )
    runtime.set_current(cfg)
    return EchoAdapter(cfg, reply=echo_reply)


def texts(echo: EchoAdapter) -> list[str]:
    return [sent.text for sent in echo.outbox]


async def reasons() -> list[str]:
    rows = DroppedMessage.objects.order_by("id").values_list("reason", flat=True)
    return await sync_to_async(lambda: list(rows))()


async def test_a_fast_sender_is_told_once_and_then_dropped_with_the_reason(clock: Clock) -> None:
    echo = adapter()
    for n in range(8):
        await echo.receive(f"m{n}")
    assert texts(echo) == [f"echo: m{n}" for n in range(5)] + [TOO_FAST]
    assert await reasons() == ["rate limited (perSenderPerMinute 20)"] * 3
    clock.now += 3
    await echo.receive("back")
    assert texts(echo)[-1] == "echo: back"


async def test_owners_of_the_routed_agent_and_exempt_senders_are_not_limited(
    clock: Clock,
) -> None:
    echo = adapter(
        agents={"list": [{"id": "main", "default": True, "owners": ["echo:42"]}]},
        limits={"inbound": {"burst": 1, "exempt": ["echo:7"]}},
    )
    for n in range(4):
        await echo.receive(f"owner {n}", sender="42")
        await echo.receive(f"friend {n}", sender="7")
    assert len(echo.outbox) == 8 and TOO_FAST not in texts(echo)
    assert await reasons() == []


async def test_exempt_owners_false_limits_owners_too(clock: Clock) -> None:
    echo = adapter(
        agents={"list": [{"id": "main", "default": True, "owners": ["echo:42"]}]},
        limits={"inbound": {"burst": 1, "perSenderPerMinute": 60, "exemptOwners": False}},
    )
    for n in range(3):
        await echo.receive(f"m{n}", sender="42")
    assert texts(echo) == [
        "echo: m0",
        "You're sending messages too fast; I'll answer again in 1 s.",
    ]
    assert await reasons() == ["rate limited (perSenderPerMinute 60)"] * 2


async def test_limits_can_be_turned_off(clock: Clock) -> None:
    echo = adapter(limits={"inbound": {"enabled": False}, "budgets": {"daily": 5}})
    for n in range(10):
        await echo.receive(f"m{n}")
    assert len(echo.outbox) == 10
    assert echo.config.limits.model_dump(by_alias=True)["budgets"] == {"daily": 5}

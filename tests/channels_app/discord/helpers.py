from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage
from channels_app.discord.adapter import DiscordAdapter
from config import runtime
from config.schema import EpiloopConfig
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.fixtures import GUILD_ID


@dataclass
class Reply:
    text: str
    ok: bool = True


class Echo:
    """A stand-in for `agents.service.reply_to`: answers `echo: TEXT` (or `text_for`)."""

    def __init__(
        self, text_for: Callable[[InboundMessage], str] | None = None, delay: float = 0
    ) -> None:
        self.calls: list[tuple[InboundMessage, str]] = []
        self.text_for = text_for
        self.delay = delay

    async def __call__(self, inbound: InboundMessage, *, system_prompt: str = "") -> Reply:
        self.calls.append((inbound, system_prompt))
        if self.delay:
            await asyncio.sleep(self.delay)
        return Reply(self.text_for(inbound) if self.text_for else f"echo: {inbound.text}")


def config_for(fake: FakeDiscord, **discord: Any) -> EpiloopConfig:
    section: dict[str, Any] = {
        "enabled": True,
        "token": fake.token,
        "apiBase": fake.api_base,
        "gatewayUrl": fake.gateway_url,
        "groupPolicy": "allowlist",
        "guilds": {GUILD_ID: {"channels": {"general": {"allow": True}}, "requireMention": False}},
    }
    section.update(discord)
    cfg = EpiloopConfig.model_validate({"channels": {"discord": section}})
    runtime.set_current(cfg)
    return cfg


async def started(fake: FakeDiscord, config: EpiloopConfig, reply: Any = None) -> DiscordAdapter:
    adapter = DiscordAdapter(config, reply=reply or Echo())
    adapter.guild_ready_timeout = 0.05
    await adapter.start()
    await asyncio.to_thread(fake.wait_ready)
    await until(lambda: adapter.state.connected)
    return adapter


async def until(predicate: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def sent(
    fake: FakeDiscord, count: int = 1, channel_id: str | None = None
) -> list[dict[str, Any]]:
    return await asyncio.to_thread(fake.wait_for_sent, count, channel_id)


def _reasons() -> list[str]:
    from channels_app.models import DroppedMessage

    return list(DroppedMessage.objects.order_by("id").values_list("reason", flat=True))


async def reasons() -> list[str]:
    """The recorded drop reasons, oldest first."""
    # The same thread as the adapter's ORM calls: the in-memory test database is shared
    # between threads with table locks.
    return await sync_to_async(_reasons)()


async def wait_reasons(count: int = 1) -> list[str]:
    deadline = time.monotonic() + 10
    while True:
        found = await reasons()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.02)

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from agents.inbound import InboundMessage
from channels_app.telegram.adapter import TelegramAdapter
from config import runtime
from config.schema import EpiloopConfig
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.fixtures import fake_telegram

__all__ = ["fake_telegram"]


class LogLines(logging.Handler):
    """What the `epiloop.telegram` logger printed, as `[telegram] message` lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        level = f"{record.levelname.lower()}: " if record.levelno >= logging.WARNING else ""
        self.lines.append(f"[telegram] {level}{record.getMessage()}")

    def matching(self, text: str) -> list[str]:
        return [line for line in self.lines if text in line]


@pytest.fixture
def tg_log() -> Iterator[LogLines]:
    handler = LogLines()
    logger = logging.getLogger("epiloop.telegram")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@dataclass
class Reply:
    text: str
    ok: bool = True
    agent_id: str = "main"
    session_key: str = ""


class EchoAgent:
    """Stands in for `agents.service.reply_to` in in-process tests (the real one runs in the
    end-to-end tests): answers `echo: <text>`, or `replies[text]` when set."""

    def __init__(self) -> None:
        self.seen: list[tuple[InboundMessage, str]] = []
        self.replies: dict[str, str] = {}
        self.delay = 0.0  # seconds each answer "thinks"

    async def __call__(self, inbound: InboundMessage, *, system_prompt: str = "") -> Reply:
        self.seen.append((inbound, system_prompt))
        if self.delay:
            await asyncio.sleep(self.delay)
        return Reply(self.replies.get(inbound.text, f"echo: {inbound.text}"))


@pytest.fixture
def echo_agent() -> EchoAgent:
    return EchoAgent()


@pytest.fixture
async def start_adapter(
    fake_telegram: FakeTelegram, echo_agent: EchoAgent, tg_log: LogLines, monkeypatch: Any
) -> AsyncIterator[Callable[..., Any]]:
    """Start a TelegramAdapter on the fake with `channels.telegram` = defaults + overrides.
    Webhooks are served through Django here, as inside the gateway."""
    started: list[TelegramAdapter] = []

    async def start(
        telegram: dict[str, Any] | None = None, *, gateway_http: bool = True, **doc: Any
    ) -> TelegramAdapter:
        monkeypatch.setattr("channels_app.webhooks.GATEWAY_HTTP", gateway_http)
        section = {"botToken": fake_telegram.token, "apiRoot": fake_telegram.url}
        section.update(telegram or {})
        config = EpiloopConfig.model_validate({"channels": {"telegram": section}, **doc})
        runtime.set_current(config)
        adapter = TelegramAdapter(config, reply=echo_agent)
        started.append(adapter)
        await adapter.start()
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()
    runtime.reset()

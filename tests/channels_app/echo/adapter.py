"""The echo adapter: no network at all; the test is the other end of the chat."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from agents.inbound import InboundMessage
from channels_app import pipeline
from channels_app.base import ChannelStatus
from channels_app.chunking import split_reply
from channels_app.contract import AdapterFactory, Replier
from config import runtime
from config.schema import EpiloopConfig
from tests.channels_app.echo.schema import EchoConfig, section


@dataclass(frozen=True)
class Sent:
    chat_id: str
    text: str
    message_id: str
    quoted: str = ""  # the id of the message this one answers


class EchoAdapter:
    name = "echo"

    def __init__(self, config: EpiloopConfig, *, reply: Replier | None = None) -> None:
        self.config = config
        self.reply: Replier = reply or pipeline.agent_reply
        self.state = ChannelStatus("echo", mode="loopback")
        self.outbox: list[Sent] = []
        self.typing_in: list[str] = []  # chats that were shown "typing…"
        self._ids = itertools.count(1001)
        self._inbound_ids = itertools.count(1)
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        self._unsubscribe = runtime.subscribe(self._on_config)
        self.state.running = True
        self.state.connected_now(bot_user="echo-bot", bot_id="1")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.state.disconnected()
        self.state.running = False

    def status(self) -> dict[str, object]:
        return self.state.as_dict()

    def _on_config(self, config: EpiloopConfig) -> None:
        self.config = config

    async def receive(self, text: str, sender: str = "42", message_id: str = "") -> None:
        """A direct message from `sender` arrives (and is handled before this returns); each
        gets a new message id unless `message_id` is given (the same id is a redelivery)."""
        message_id = message_id or f"in-{next(self._inbound_ids)}"
        inbound = InboundMessage(
            channel="echo",
            chat_kind="dm",
            chat_id=f"dm-{sender}",
            sender_id=sender,
            text=text,
            message_id=message_id,
        )
        await pipeline.handle(self, inbound)

    @property
    def chunk_limit(self) -> int:
        return (section(self.config) or EchoConfig()).text_chunk_limit

    def typing(self, inbound: InboundMessage) -> AbstractAsyncContextManager[None]:
        self.typing_in.append(inbound.chat_id)
        return contextlib.nullcontext()

    async def send_chunk(self, inbound: InboundMessage, text: str, *, quote: bool) -> bool:
        quoted = inbound.message_id if quote else ""
        self.outbox.append(Sent(inbound.chat_id, text, str(next(self._ids)), quoted))
        return True

    async def send_text(self, target: str, text: str) -> str:
        chat_id = target.removeprefix("dm-")
        if not chat_id.isdigit():
            raise ValueError(f"not an echo chat: {target!r} (use dm-ID)")
        for chunk in split_reply(text, self.chunk_limit):
            self.outbox.append(Sent(target, chunk, str(next(self._ids))))
        self.state.outbound()
        return self.outbox[-1].message_id if self.outbox else ""


_contract: AdapterFactory = EchoAdapter  # mypy holds the adapter to the contract

"""The one contract every chat adapter honours (errbot's backend, in small).

The runner starts and stops adapters, `channels.status` and the admin read `status()`, the
gateway protocol's `send` calls `send_text`, and the inbound pipeline (`pipeline.handle`)
uses the rest: the config and status it reads and stamps, the reply function, the typing
indicator and `send_chunk`. mypy holds each adapter class to it: every adapter module ends
with `_contract: AdapterFactory = TheAdapter`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from agents.inbound import InboundMessage
from channels_app.base import ChannelStatus
from config.schema import EpiloopConfig


class ReplyText(Protocol):
    """What the pipeline reads of an agent's answer (`agents.service.Reply`)."""

    @property
    def text(self) -> str: ...


class Replier(Protocol):
    """`agents.service.reply_to`, or a stand-in given to the adapter (tests, benchmarks)."""

    def __call__(
        self, inbound: InboundMessage, *, system_prompt: str = ""
    ) -> Awaitable[ReplyText]: ...


class Adapter(Protocol):
    name: str
    config: EpiloopConfig  # the running config, followed on every change
    state: ChannelStatus
    reply: Replier

    async def start(self) -> None:
        """Return at once; connect (and reconnect) in the background."""

    async def stop(self) -> None: ...

    def status(self) -> dict[str, object]:
        """The `channels.status` summary: `state` plus what is particular to the platform."""

    @property
    def chunk_limit(self) -> int:
        """The longest message the pipeline hands to `send_chunk` (`textChunkLimit`)."""

    def typing(self, inbound: InboundMessage) -> AbstractAsyncContextManager[None]:
        """Show "typing…" in the chat of `inbound` while the block runs."""

    async def send_chunk(self, inbound: InboundMessage, text: str, *, quote: bool) -> bool:
        """Send one message to the chat of `inbound` (as a reply to it when `quote`). False
        when it could not be sent (already logged and shown in the status): the pipeline
        then sends nothing more of that reply."""

    async def send_text(self, target: str, text: str) -> str:
        """Send `text` (chunked) to `target` in the platform's own words (a channel id,
        `user:ID`, a chat id); the id of the last message sent. ValueError for a target the
        platform cannot read, RuntimeError when it is not connected or sending failed."""


class AdapterFactory(Protocol):
    """An adapter class: built by the runner from the running config; `reply` replaces the
    agents' reply function."""

    def __call__(self, config: EpiloopConfig, *, reply: Replier | None = None) -> Adapter: ...

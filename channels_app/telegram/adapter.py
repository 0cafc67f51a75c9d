"""The Telegram adapter: python-telegram-bot's `Application` with the manual lifecycle
(never `run_polling`, which owns the event loop and installs signal handlers).

`start()` returns at once; `connect.Connection` logs in and then polls or serves the webhook
in a background task. The Application processes updates concurrently; each goes through the
inbound pipeline (`channels_app.pipeline`: policy, drops, typing, the agent's reply, chunks),
for which this module supplies the Telegram side of `contract.Adapter` (sending is
`outbound.py`). A config change to the token, API root or webhook reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, TypeHandler

from agents.inbound import InboundMessage
from channels_app import pipeline
from channels_app.base import ChannelStatus, ReportOnce
from channels_app.contract import AdapterFactory, Replier
from channels_app.telegram import options as opts
from channels_app.telegram import webhook
from channels_app.telegram.connect import Connection
from channels_app.telegram.inbound import to_inbound
from channels_app.telegram.outbound import Sender, chunks, parse_target, typing
from config.schema import EpiloopConfig
from config.secrets import redact, register_secret

log = logging.getLogger("epiloop.telegram")

CONCURRENT_UPDATES = 256
IN_FLIGHT = 16  # our Bot API calls at once (Telegram allows ~30 messages/s per bot)
# The HTTP pool is larger than IN_FLIGHT: python-telegram-bot makes calls of its own on the
# same pool, and a pool no larger than our semaphore let 64 concurrent updates stall (each
# waiting slot then waited again for a connection, timing out and retrying).
POOL_SIZE = 2 * IN_FLIGHT
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection


class TelegramAdapter(Connection):
    name = "telegram"

    def __init__(self, config: EpiloopConfig, *, reply: Replier | None = None) -> None:
        self.config = config
        self.reply: Replier = reply or pipeline.agent_reply
        self.state = ChannelStatus("telegram")
        self.report = ReportOnce(log, self.state)
        self.problem = ""  # a setting that cannot work (reported at start, not raised)
        try:
            self.options = opts.resolve(config)
        except opts.OptionsError as exc:
            self.options = opts.TelegramOptions("", "", opts.DEFAULT_API_ROOT, 4000)
            self.problem = str(exc)
        self.app = None
        self.sender: Sender | None = None
        self.poller = None
        self.hook = None
        self.loop = None
        self._server = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._restart: asyncio.Future[None] | None = None

    @classmethod
    def wanted(cls, config: EpiloopConfig) -> bool:
        return opts.wanted(config)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        from config.runtime import subscribe

        self.loop = asyncio.get_running_loop()
        self._unsubscribe = subscribe(self._on_config)
        if self.problem:
            self._fatal(f"not starting: {self.problem}")
            return
        self._boot()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._halt()
        self.state.running = False

    def status(self) -> dict[str, object]:
        data = self.state.as_dict()
        if self.hook is not None:
            data["webhook_path"] = self.options.webhook_path
            data["webhook_refused"] = self.hook.refused
        return data

    def _boot(self) -> None:
        o = self.options
        register_secret(o.token)
        register_secret(o.webhook_secret)
        self.state.mode = "webhook" if o.webhook else "polling"
        self.state.running, self.state.fatal = True, False
        self.report.clear()
        app = (
            Application.builder()
            .token(o.token)
            .base_url(f"{o.api_root}/bot")
            .base_file_url(f"{o.api_root}/file/bot")
            .updater(None)
            .concurrent_updates(CONCURRENT_UPDATES)
            # httpcore scans every pooled connection for each request it places: a pool
            # that grows to hundreds under a burst costs more CPU than the requests.
            .connection_pool_size(POOL_SIZE)
            .pool_timeout(POOL_TIMEOUT)
            .build()
        )
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_handler_error)
        self.app = app
        self.sender = Sender(
            app.bot, on_error=lambda m: self.state.error(redact(m)), max_in_flight=IN_FLIGHT
        )
        self._task = asyncio.create_task(self._run(app), name="telegram")

    async def _halt(self) -> None:
        if self.hook is not None:
            webhook.unregister(self.options.webhook_path, self.hook)
            self.hook = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self.poller is not None:
            await self.poller.acknowledge()
            self.poller = None
        app, self.app = self.app, None
        if app is not None:
            with contextlib.suppress(Exception):
                if app.running:
                    await app.stop()
            with contextlib.suppress(Exception):
                await app.shutdown()
            with contextlib.suppress(Exception):
                await app.bot.shutdown()  # closes the HTTP pools even when getMe failed
        self.state.disconnected()

    def _on_config(self, config: EpiloopConfig) -> None:
        """Called after each config change (possibly from another thread)."""
        try:
            new = opts.resolve(config)
        except opts.OptionsError as exc:
            log.warning("%s; keeping the running settings", exc)
            return
        self.config = config
        if (new == self.options and not self.problem) or self.loop is None:
            return
        self.options, self.problem = new, ""
        log.info("telegram settings changed; reconnecting")

        async def restart() -> None:
            await self._halt()
            self._boot()

        def schedule() -> None:
            self._restart = asyncio.ensure_future(restart())  # keep a reference until done

        self.loop.call_soon_threadsafe(schedule)

    # -- messages ----------------------------------------------------------------------------

    async def _on_update(
        self, update: Update, _context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        if self.app is None:
            return
        bot = self.app.bot
        inbound = to_inbound(update, bot.username or "", bot.id)
        if inbound is not None:
            await pipeline.handle(self, inbound)

    async def _on_handler_error(
        self, _update: object, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        self.state.error(redact(f"handling an update failed: {context.error!r}"))
        log.error("handling an update failed", exc_info=context.error)

    # -- the pipeline's side of the contract, and `send` -------------------------------------

    @property
    def chunk_limit(self) -> int:
        return opts.chunk_limit(self.config)

    def typing(self, inbound: InboundMessage) -> AbstractAsyncContextManager[None]:
        if self.sender is None:
            return contextlib.nullcontext()
        return typing(self.sender, inbound.chat_id, inbound.thread_id)

    async def send_chunk(self, inbound: InboundMessage, text: str, *, quote: bool) -> bool:
        if self.sender is None:
            return False
        # Replies quote the message they answer, except in a DM (nothing to tell apart).
        quoted = inbound.message_id if quote and inbound.chat_kind != "dm" else ""
        parts = chunks(text, self.chunk_limit)
        sent = await self.sender.send_parts(
            inbound.chat_id, parts, thread_id=inbound.thread_id, reply_to=quoted
        )
        return len(sent) == len(parts)

    async def send_text(self, target: str, text: str) -> str:
        """Send `text` (chunked) to a chat id (`-100123`, `user:42`) or a forum topic
        (`-100123:topic:9`); the id of the last message sent (gateway protocol's `send`)."""
        chat_id, thread_id = parse_target(target)
        if self.sender is None or not self.state.connected:
            raise RuntimeError("telegram is not connected")
        parts = chunks(text, self.chunk_limit)
        sent = await self.sender.send_parts(chat_id, parts, thread_id=thread_id)
        if len(sent) < len(parts):
            raise RuntimeError(self.state.last_error or f"sending to chat {chat_id} failed")
        self.state.outbound()
        return sent[-1] if sent else ""


_contract: AdapterFactory = TelegramAdapter  # mypy holds the adapter to the contract

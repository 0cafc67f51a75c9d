"""The Telegram adapter: python-telegram-bot's `Application` with the manual lifecycle
(never `run_polling`, which owns the event loop and installs signal handlers).

`start()` returns at once; a background task logs in (`getMe`, retried with backoff on
network errors, reported once and abandoned on an invalid token), then either registers
the webhook (`setWebhook` with the secret; updates arrive through `webhook.py`) or deletes
any webhook and long-polls (`polling.py`). The Application processes updates
concurrently; each goes through the shared policy, then `agents.service.reply_to` with
"typing…" shown while the agent runs, and the reply is sent in chunks (`outbound.py`).
A config change to the token, API root or webhook reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, TypeHandler

from agents.inbound import InboundMessage
from channels_app import webhooks
from channels_app.base import ChannelStatus, ReportOnce
from channels_app.telegram import options as opts
from channels_app.telegram import webhook
from channels_app.telegram.decide import agents_reply_to, decide
from channels_app.telegram.inbound import to_inbound
from channels_app.telegram.outbound import Sender, typing
from channels_app.telegram.polling import ALLOWED_UPDATES, Poller, new_backoff
from config.secrets import redact, register_secret

log = logging.getLogger("epiloop.telegram")

CONCURRENT_UPDATES = 256
IN_FLIGHT = 16  # our Bot API calls at once (Telegram allows ~30 messages/s per bot)
# The HTTP pool is larger than IN_FLIGHT: python-telegram-bot makes calls of its own on the
# same pool, and a pool no larger than our semaphore let 64 concurrent updates stall (each
# waiting slot then waited again for a connection, timing out and retrying).
POOL_SIZE = 2 * IN_FLIGHT
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection
TOKEN_HINT = "fix channels.telegram.botToken (or TELEGRAM_BOT_TOKEN); not retrying"


class TelegramAdapter:
    name = "telegram"

    def __init__(self, config: Any) -> None:
        self.config = config
        self.state = ChannelStatus("telegram")
        self.report = ReportOnce(log, self.state)
        self.problem = ""  # a setting that cannot work (reported at start, not raised)
        try:
            self.options = opts.resolve(config)
        except opts.OptionsError as exc:
            self.options = opts.TelegramOptions("", "", opts.DEFAULT_API_ROOT, 4000)
            self.problem = str(exc)
        self.app: Any = None
        self.sender: Sender | None = None
        self.poller: Poller | None = None
        self.hook: webhook.Hook | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None
        self._server: asyncio.Server | None = None  # webhook server without the gateway
        self._restart: asyncio.Future[None] | None = None
        # `agents.service.reply_to` unless a test installs another (async, returns `.text`).
        self.reply_fn: Callable[..., Awaitable[Any]] | None = None

    @classmethod
    def wanted(cls, config: Any) -> bool:
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
        self.app = (
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
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_handler_error)
        self.sender = Sender(
            self.app.bot, on_error=lambda m: self.state.error(redact(m)), max_in_flight=IN_FLIGHT
        )
        self._task = asyncio.create_task(self._run(), name="telegram")

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

    def _on_config(self, config: Any) -> None:
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

    # -- connecting --------------------------------------------------------------------------

    async def _run(self) -> None:
        if not await self._log_in():
            return
        if self.options.webhook:
            await self._set_webhook()
            return
        self.poller = Poller(
            self.app.bot,
            self.app.update_queue.put,
            on_problem=self._on_poll_problem,
            on_ok=self._on_poll_ok,
        )
        # Switching from webhook mode: Telegram refuses getUpdates while a webhook is set.
        if not await self._call_with_backoff("deleteWebhook", self.app.bot.delete_webhook):
            return
        self.state.connected_now()
        await self.poller.run()
        self.state.disconnected()

    async def _log_in(self) -> bool:
        backoff = new_backoff()
        while True:
            try:
                await self.app.initialize()
                break
            except InvalidToken:
                self._fatal(f"the bot token was rejected by Telegram; {TOKEN_HINT}")
                return False
            except TelegramError as exc:
                self.report(
                    "getMe",
                    redact(f"cannot reach Telegram ({exc.message}); retrying with backoff"),
                    logging.WARNING,
                )
                await asyncio.sleep(backoff.next())
        await self.app.start()
        bot = self.app.bot
        self.state.connected_now(bot_user=f"@{bot.username}", bot_id=str(bot.id))
        self.report.clear("getMe")
        log.info("logged in to telegram as @%s", bot.username)
        return True

    async def _set_webhook(self) -> None:
        o = self.options
        self.hook = webhook.register(o.webhook_path, o.webhook_secret, self._deliver_threadsafe)
        if not webhooks.GATEWAY_HTTP:
            self._server = await webhooks.serve_alone(log)

        async def set_it() -> Any:
            return await self.app.bot.set_webhook(
                url=o.webhook_url, secret_token=o.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )

        if await self._call_with_backoff("setWebhook", set_it):
            self.state.connected_now()
            log.info("webhook set; receiving updates at %s", o.webhook_path)

    async def _call_with_backoff(self, what: str, call: Any) -> bool:
        backoff = new_backoff()
        while True:
            try:
                await call()
                self.report.clear(what)
                return True
            except InvalidToken:
                self._fatal(f"the bot token was rejected by Telegram; {TOKEN_HINT}")
                return False
            except TelegramError as exc:
                self.report(
                    what, redact(f"{what} failed ({exc.message}); retrying"), logging.WARNING
                )
                await asyncio.sleep(backoff.next())

    def _fatal(self, message: str) -> None:
        self.report("token", redact(message))
        self.state.fatal = True
        self.state.disconnected()

    def _on_poll_problem(self, kind: str, message: str, announce: bool) -> None:
        if kind == "invalid_token":
            self._fatal(f"{message}; {TOKEN_HINT}")
            return
        self.state.error(redact(message))
        self.state.disconnected()
        if announce:
            log.warning("%s", message)

    def _on_poll_ok(self, announce: bool) -> None:
        if not self.state.connected:
            self.state.connected_now()
        if announce:
            log.info("polling works again")

    # -- webhook delivery --------------------------------------------------------------------

    def _deliver_threadsafe(self, data: dict[str, Any]) -> None:
        loop = self.loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(data)
        else:
            loop.call_soon_threadsafe(self._deliver, data)

    def _deliver(self, data: dict[str, Any]) -> None:
        if self.app is None:
            return
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # a malformed update must not fail the webhook request
            log.warning("ignoring an update that cannot be read (%s): %.200s", exc, data)
            return
        self.app.update_queue.put_nowait(update)

    # -- messages ----------------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: Any) -> None:
        bot = self.app.bot
        inbound = to_inbound(update, bot.username or "", bot.id)
        if inbound is None:
            return
        self.state.inbound()
        await self.handle(inbound)

    async def handle(self, inbound: InboundMessage) -> None:
        from channels_app.drops import arecord_drop

        decision = await decide(inbound, self.config)
        if not decision.allowed:
            if not decision.quiet:
                await arecord_drop(inbound, decision.reason)
            if decision.reply:
                await self.send(inbound, decision.reply)
            return
        reply_fn = self.reply_fn or agents_reply_to()
        assert self.sender is not None
        async with typing(self.sender, inbound.chat_id, inbound.thread_id):
            reply = await reply_fn(inbound, system_prompt=decision.system_prompt)
        await self.send(inbound, reply.text)

    async def send(self, inbound: InboundMessage, text: str) -> None:
        assert self.sender is not None
        sent = await self.sender.send_reply(
            inbound.chat_id,
            text,
            limit=opts.chunk_limit(self.config),
            thread_id=inbound.thread_id,
            reply_to=inbound.message_id if inbound.chat_kind != "dm" else "",
        )
        if sent:
            self.state.outbound()

    async def _on_handler_error(self, _update: object, context: Any) -> None:
        self.state.error(redact(f"handling an update failed: {context.error!r}"))
        log.error("handling an update failed", exc_info=context.error)

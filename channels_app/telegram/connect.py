"""Connecting the Telegram adapter, and webhook delivery: the base class of
`TelegramAdapter`, which declares the state it works on.

A background task logs in (`getMe`, retried with backoff on network errors, reported once
and abandoned on an invalid token), then either registers the webhook (`setWebhook` with
the secret; updates arrive through `webhook.py`) or deletes any webhook and long-polls
(`polling.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from channels_app import webhooks
from channels_app.base import ChannelStatus, ReportOnce
from channels_app.telegram import webhook
from channels_app.telegram.options import TelegramOptions
from channels_app.telegram.polling import ALLOWED_UPDATES, Poller, new_backoff
from config.jsontypes import JsonObject
from config.secrets import redact

log = logging.getLogger("epiloop.telegram")

# python-telegram-bot's application, whatever its bot, context and data types.
App = Application[Any, Any, Any, Any, Any, Any]
TOKEN_HINT = "fix channels.telegram.botToken (or TELEGRAM_BOT_TOKEN); not retrying"


class Connection:
    options: TelegramOptions
    state: ChannelStatus
    report: ReportOnce
    app: App | None
    poller: Poller[Update] | None
    hook: webhook.Hook | None
    loop: asyncio.AbstractEventLoop | None
    _server: asyncio.Server | None  # the webhook's own server, without the gateway

    async def _run(self, app: App) -> None:
        if not await self._log_in(app):
            return
        if self.options.webhook:
            await self._set_webhook(app)
            return
        bot: Bot = app.bot
        self.poller = Poller[Update](
            bot, app.update_queue.put, on_problem=self._on_poll_problem, on_ok=self._on_poll_ok
        )
        # Switching from webhook mode: Telegram refuses getUpdates while a webhook is set.
        if not await self._call_with_backoff("deleteWebhook", app.bot.delete_webhook):
            return
        self.state.connected_now()
        await self.poller.run()
        self.state.disconnected()

    async def _log_in(self, app: App) -> bool:
        backoff = new_backoff()
        while True:
            try:
                await app.initialize()
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
        await app.start()
        bot = app.bot
        self.state.connected_now(bot_user=f"@{bot.username}", bot_id=str(bot.id))
        self.report.clear("getMe")
        log.info("logged in to telegram as @%s", bot.username)
        return True

    async def _set_webhook(self, app: App) -> None:
        o = self.options
        self.hook = webhook.register(o.webhook_path, o.webhook_secret, self._deliver_threadsafe)
        if not webhooks.GATEWAY_HTTP:
            self._server = await webhooks.serve_alone(log)

        async def set_it() -> bool:
            return bool(
                await app.bot.set_webhook(
                    url=o.webhook_url,
                    secret_token=o.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )

        if await self._call_with_backoff("setWebhook", set_it):
            self.state.connected_now()
            log.info("webhook set; receiving updates at %s", o.webhook_path)

    async def _call_with_backoff(self, what: str, call: Callable[[], Awaitable[bool]]) -> bool:
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

    def _deliver_threadsafe(self, data: JsonObject) -> None:
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

    def _deliver(self, data: JsonObject) -> None:
        if self.app is None:
            return
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # a malformed update must not fail the webhook request
            log.warning("ignoring an update that cannot be read (%s): %.200s", exc, data)
            return
        self.app.update_queue.put_nowait(update)

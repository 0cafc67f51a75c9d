"""The Discord adapter: connect, keep connected, and answer (DESIGN §2, §9).

`start()` returns at once; `_run()` logs in and connects, reconnecting with capped
exponential backoff plus jitter. An invalid token (401 at login, close 4004) or missing
privileged intents are reported once (log, status, readiness) and not retried. Each
message goes through the access policy; refused ones are logged and recorded with the
reason; allowed ones get a typing indicator while `agents.service.reply_to` runs, and the
reply is sent in fence-safe chunks, the first replying to the trigger.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from agents.inbound import InboundMessage
from channels_app import drops, policy
from channels_app.base import Backoff, ChannelStatus, ReportOnce, spawn, typing_loop
from channels_app.discord import options as opts
from config.secrets import register_secret

log = logging.getLogger("epiloop.discord")

Responder = Callable[..., Awaitable[Any]]  # reply_to(inbound, *, system_prompt) -> Reply
TYPING_INTERVAL = 8.0  # Discord shows "typing" for 10 s


async def default_responder(inbound: InboundMessage, *, system_prompt: str = "") -> Any:
    from agents.service import reply_to

    return await reply_to(inbound, system_prompt=system_prompt)


class DiscordAdapter:
    name = "discord"

    def __init__(self, config: Any, responder: Responder | None = None) -> None:
        self.config = config
        self.options = opts.resolve(config)
        self.responder = responder or default_responder
        self.state = ChannelStatus("discord", mode="gateway")
        self.report = ReportOnce(log, self.state)
        self.backoff = Backoff(base=1.0, cap=60.0)
        self.client: Any = None
        self.guild_ready_timeout = 0.5
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        register_secret(self.options.token)

    @classmethod
    def wanted(cls, config: Any) -> bool:
        return opts.wanted(config)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self.state.running = True
        self._task = asyncio.create_task(self._run(), name="discord")
        if self._unsubscribe is None:
            from config import runtime

            self._unsubscribe = runtime.subscribe(self._config_changed)

    async def stop(self) -> None:
        self._stopping = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._disconnect()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # Let the event tasks discord.py dispatched while closing (on_disconnect, ...) run
        # now, rather than be destroyed unstarted with the loop.
        await asyncio.sleep(0.01)
        self.state.running = False

    async def _disconnect(self) -> None:
        # Cancel the connection loop first, then close the client: discord.py forgets its
        # event loop on close(), and a connect() still running would dispatch into nothing.
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.client is not None:
            from channels_app.discord import client as dc

            await dc.close_client(self.client)
        self.state.disconnected()

    def status(self) -> dict[str, object]:
        data = self.state.as_dict()
        data["token_source"] = self.options.token_source
        return data

    def _config_changed(self, config: Any) -> None:
        """Policies are read per message; only a new token or endpoint needs a reconnect."""
        self.config = config
        new = opts.resolve(config)
        old, self.options = self.options, new
        changed = (new.token, new.api_base, new.gateway_url) != (
            old.token,
            old.api_base,
            old.gateway_url,
        )
        if changed and self._loop is not None and not self._stopping:
            register_secret(new.token)
            self._loop.call_soon_threadsafe(lambda: spawn(self._restart(), self._tasks))

    async def _restart(self) -> None:
        log.info("discord token or endpoint changed; reconnecting")
        await self._disconnect()
        self.report.clear()
        self.state.fatal = False
        if not self._stopping and self.wanted(self.config):
            self.state.running = True
            self._task = asyncio.create_task(self._run(), name="discord")

    # -- connection loop ---------------------------------------------------------------------

    async def _run(self) -> None:
        from channels_app.discord import client as dc

        while not self._stopping:
            dc.set_endpoints(self.options.api_base, self.options.gateway_url)
            self.client = dc.build_client(self, self.guild_ready_timeout)
            try:
                await self.client.login(self.options.token)
                await self.client.connect(reconnect=True)
                if self._stopping:
                    return
                self._transient("connection closed")
            except dc.LoginFailure:
                return self._fatal("Discord refused the token (401 Unauthorized)")
            except dc.PrivilegedIntentsRequired:
                return self._fatal(
                    "the Message Content intent is not enabled for this bot; turn it on "
                    "in the Discord developer portal (Bot > Privileged Gateway Intents)"
                )
            except dc.ConnectionClosed as exc:
                if exc.code == 4004:
                    return self._fatal(
                        "Discord closed the gateway with 4004 (authentication failed)"
                    )
                self._transient(f"gateway closed with code {exc.code}")
            except asyncio.CancelledError:
                raise
            except dc.TRANSIENT as exc:
                self._transient(f"{type(exc).__name__}: {exc}")
            finally:
                self.state.disconnected()
                if self.client is not None:
                    await dc.close_client(self.client)
            if self._stopping:
                return
            delay = self.backoff.next()
            log.info("reconnecting to discord in %.1fs", delay)
            await asyncio.sleep(delay)

    def _fatal(self, why: str) -> None:
        message = (
            f"invalid token: {why}; not retrying. Fix channels.discord.token or "
            "DISCORD_BOT_TOKEN and restart (or save the config)."
            if "token" in why or "4004" in why
            else f"{why}; not retrying."
        )
        self.report("fatal", message)
        self.state.fatal = True  # /readyz and channels.status show it
        self.state.running = False

    def _transient(self, why: str) -> None:
        self.report(f"transient:{why}", f"discord connection problem: {why}", logging.WARNING)

    # -- events (called by the discord.py client) --------------------------------------------

    async def on_ready(self, client: Any) -> None:
        me = client.user
        self.backoff.reset()
        self.report.clear()
        self.state.connected_now(bot_user=str(me.name), bot_id=str(me.id))
        self.state.guild_count = len(client.guilds)
        log.info("logged in to discord as %s (id %s)", me.name, me.id)

    async def on_resumed(self, client: Any) -> None:
        self.state.connected_now()
        log.info("discord session resumed")

    async def on_disconnect(self, client: Any) -> None:
        self.state.disconnected()

    async def on_message(self, client: Any, message: Any) -> None:
        from channels_app.discord import client as dc

        if client.user is None:
            return
        inbound = dc.to_inbound(message, client.user)
        if inbound.sender_is_self:
            return
        self.state.inbound()
        await self.handle(inbound, message)

    async def handle(self, inbound: InboundMessage, message: Any) -> None:
        from channels_app.discord import client as dc

        if inbound.chat_kind == "dm":  # DM rules read and write pairing rows
            decision = await sync_to_async(policy.decide)(inbound, self.config)
        else:
            decision = policy.decide(inbound, self.config)
        if not decision.allowed:
            if not decision.quiet:
                await drops.arecord_drop(inbound, decision.reason)
            if decision.reply:
                await self._send(inbound, dc.post(self.client, message.channel.id, decision.reply))
            return
        try:
            channel_id = message.channel.id

            async def typing() -> None:
                await dc.send_typing(self.client, channel_id)

            async with typing_loop(typing, TYPING_INTERVAL, log):
                reply = await self.responder(inbound, system_prompt=decision.system_prompt)
        except Exception:
            log.exception("reply to %s failed", drops.where(inbound))
            return
        text = getattr(reply, "text", "") or ""
        if text.strip():
            await self._send(
                inbound, dc.send_reply(self.client, message, text, self.options.chunk_limit)
            )

    async def send_text(self, to: str, text: str) -> str:
        """Send `text` (chunked) to a channel id, `channel:ID` or `user:ID` (a DM); returns
        the id of the last message sent. Used by the gateway protocol's `send` method."""
        from channels_app.discord import client as dc

        if self.client is None or not self.state.connected:
            raise RuntimeError("discord is not connected")
        kind, _, ident = to.rpartition(":")
        if not ident.isdigit():
            raise ValueError(f"not a Discord id: {to!r} (use a channel id or user:ID)")
        channel_id = int(ident)
        if kind == "user":
            user = await self.client.fetch_user(int(ident))
            channel_id = (await user.create_dm()).id
        last = await dc.send_chunks(self.client, channel_id, text, self.options.chunk_limit)
        self.state.outbound()
        return last

    async def _send(self, inbound: InboundMessage, sending: Awaitable[Any]) -> None:
        from channels_app.discord import client as dc

        try:
            await sending
        except dc.HTTPException as exc:
            why = f"{exc.status} {exc.text or exc}"
            self.state.error(f"send failed: {why}")
            log.warning("reply to %s could not be sent: %s", drops.where(inbound), why)
            return
        self.state.outbound()

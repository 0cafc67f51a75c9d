"""The Discord adapter: connect, keep connected, and answer (DESIGN §2, §9).

`start()` returns at once; `_run()` logs in and connects, reconnecting with capped
exponential backoff plus jitter. An invalid token (401 at login, close 4004) or missing
privileged intents are reported once (log, status, readiness) and not retried. Each
message goes through the inbound pipeline (`channels_app.pipeline`: policy, drops, typing,
the agent's reply, chunks); this module supplies the Discord side of `contract.Adapter`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from agents.inbound import InboundMessage
from channels_app import drops, pipeline
from channels_app.base import Backoff, ChannelStatus, ReportOnce, spawn, typing_loop
from channels_app.contract import AdapterFactory, Replier
from channels_app.discord import options as opts
from config.schema import EpiloopConfig
from config.secrets import register_secret

if TYPE_CHECKING:
    import discord

log = logging.getLogger("epiloop.discord")

TYPING_INTERVAL = 8.0  # Discord shows "typing" for 10 s


class DiscordAdapter:
    name = "discord"

    def __init__(self, config: EpiloopConfig, *, reply: Replier | None = None) -> None:
        self.config = config
        self.options = opts.resolve(config)
        self.reply: Replier = reply or pipeline.agent_reply
        self.state = ChannelStatus("discord", mode="gateway")
        self.report = ReportOnce(log, self.state)
        self.backoff = Backoff(base=1.0, cap=60.0)
        self.client: discord.Client | None = None
        self.guild_ready_timeout = 0.5
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        register_secret(self.options.token)

    @classmethod
    def wanted(cls, config: EpiloopConfig) -> bool:
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

    def _config_changed(self, config: EpiloopConfig) -> None:
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

    async def on_ready(self, client: discord.Client) -> None:
        me = client.user
        if me is None:
            return
        self.backoff.reset()
        self.report.clear()
        self.state.connected_now(bot_user=str(me.name), bot_id=str(me.id))
        self.state.guild_count = len(client.guilds)
        log.info("logged in to discord as %s (id %s)", me.name, me.id)

    async def on_resumed(self, client: discord.Client) -> None:
        self.state.connected_now()
        log.info("discord session resumed")

    async def on_disconnect(self, client: discord.Client) -> None:
        self.state.disconnected()

    async def on_message(self, client: discord.Client, message: discord.Message) -> None:
        from channels_app.discord import client as dc

        if client.user is None:
            return
        inbound = dc.to_inbound(message, client.user)
        if inbound.sender_is_self:
            return
        await pipeline.handle(self, inbound)

    # -- the pipeline's side of the contract -------------------------------------------------

    @property
    def chunk_limit(self) -> int:
        return self.options.chunk_limit

    def typing(self, inbound: InboundMessage) -> AbstractAsyncContextManager[None]:
        from channels_app.discord import client as dc

        client, channel_id = self.client, int(inbound.chat_id)

        async def typing() -> None:
            if client is not None:
                await dc.send_typing(client, channel_id)

        return typing_loop(typing, TYPING_INTERVAL, log)

    async def send_chunk(self, inbound: InboundMessage, text: str, *, quote: bool) -> bool:
        from channels_app.discord import client as dc

        if self.client is None:
            return False
        quoted = int(inbound.message_id) if quote and inbound.message_id else None
        try:
            await dc.post(self.client, int(inbound.chat_id), text, quoted)
        except dc.HTTPException as exc:
            why = f"{exc.status} {exc.text or exc}"
            self.state.error(f"send failed: {why}")
            log.warning("reply to %s could not be sent: %s", drops.where(inbound), why)
            return False
        return True

    async def send_text(self, target: str, text: str) -> str:
        """Send `text` (chunked) to a channel id, `channel:ID` or `user:ID` (a DM); returns
        the id of the last message sent. Used by the gateway protocol's `send` method."""
        from channels_app.discord import client as dc

        if self.client is None or not self.state.connected:
            raise RuntimeError("discord is not connected")
        kind, _, ident = target.rpartition(":")
        if not ident.isdigit():
            raise ValueError(f"not a Discord id: {target!r} (use a channel id or user:ID)")
        channel_id = int(ident)
        if kind == "user":
            user = await self.client.fetch_user(int(ident))
            channel_id = (await user.create_dm()).id
        last = await dc.send_chunks(self.client, channel_id, text, self.options.chunk_limit)
        self.state.outbound()
        return last


_contract: AdapterFactory = DiscordAdapter  # mypy holds the adapter to the contract

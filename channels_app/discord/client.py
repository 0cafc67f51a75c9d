"""The discord.py side: client construction, endpoint overrides, Message -> InboundMessage,
and sending a reply in chunks. The only module that imports `discord`."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import discord.client
import yarl
from discord.backoff import ExponentialBackoff
from discord.gateway import DiscordWebSocket
from discord.http import Route, handle_message_parameters
from discord.utils import MISSING

from agents.inbound import InboundMessage
from channels_app.chunking import split_reply
from config.jsontypes import JsonObject

if TYPE_CHECKING:
    from channels_app.discord.adapter import DiscordAdapter

log = logging.getLogger("epiloop.discord")

DEFAULT_API_BASE = Route.BASE
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY

# discord.py's own reconnect backoff grows to 2**10 s; cap it at 2**6 = 64 s (with its
# full jitter) so a long outage is retried about once a minute, not once every 17 minutes.
RECONNECT_CAP_EXP = 6


class CappedBackoff(ExponentialBackoff[bool]):
    def __init__(self, base: int = 1, *, integral: bool = False) -> None:
        super().__init__(base, integral=integral)
        self._max = RECONNECT_CAP_EXP


# discord.py builds its reconnect backoff from this name in its client module.
setattr(discord.client, "ExponentialBackoff", CappedBackoff)  # noqa: B010

# Errors that mean "try again later", as opposed to a bad token or missing intents.
TRANSIENT = (
    OSError,
    aiohttp.ClientError,
    discord.HTTPException,
    discord.GatewayNotFound,
    TimeoutError,
)
LoginFailure = discord.LoginFailure
ConnectionClosed = discord.ConnectionClosed
PrivilegedIntentsRequired = discord.PrivilegedIntentsRequired
HTTPException = discord.HTTPException


def set_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at `api_base` / `gateway_url` (proxies, tests), or back at Discord."""
    Route.BASE = api_base or DEFAULT_API_BASE
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url) if gateway_url else DEFAULT_GATEWAY


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


def build_client(handler: DiscordAdapter, guild_ready_timeout: float = 0.5) -> discord.Client:
    """A client whose events call `handler.on_ready()`, `handler.on_message(msg)`, ..."""
    client = discord.Client(
        intents=intents(),
        guild_ready_timeout=guild_ready_timeout,
        max_messages=200,
        chunk_guilds_at_startup=False,
        member_cache_flags=discord.MemberCacheFlags.none(),
        allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
    )

    @client.event
    async def on_ready() -> None:
        await handler.on_ready(client)

    @client.event
    async def on_resumed() -> None:
        await handler.on_resumed(client)

    @client.event
    async def on_disconnect() -> None:
        await handler.on_disconnect(client)

    @client.event
    async def on_message(message: discord.Message) -> None:
        await handler.on_message(client, message)

    skip_own_messages(client)
    return client


async def close_client(client: discord.Client) -> None:
    """Close `client`, first cancelling its pending "ready" timer: discord.py would fire it
    after close() has dropped the event loop, leaving an orphaned coroutine."""
    ready_task = getattr(client._connection, "_ready_task", None)
    if ready_task is not None and not ready_task.done():
        ready_task.cancel()
    if not client.is_closed():
        await client.close()


def _mention_re(bot_id: int) -> re.Pattern[str]:
    return re.compile(rf"<@!?{bot_id}>\s*")


def to_inbound(message: discord.Message, me: discord.ClientUser) -> InboundMessage:
    channel = message.channel
    guild = message.guild
    mentions_bot = any(u.id == me.id for u in message.mentions)
    resolved = message.reference.resolved if message.reference else None
    reply_to_bot = isinstance(resolved, discord.Message) and resolved.author.id == me.id
    parent_id = parent_name = ""
    if isinstance(channel, discord.Thread):
        parent_id = str(channel.parent_id or "")
        parent_name = channel.parent.name if channel.parent is not None else ""
    text = _mention_re(me.id).sub("", message.content).strip() if mentions_bot else message.content
    author = message.author
    return InboundMessage(
        channel="discord",
        chat_kind="channel" if guild is not None else "dm",
        chat_id=str(channel.id),
        sender_id=str(author.id),
        text=text,
        guild_id=str(guild.id) if guild is not None else "",
        sender_name=author.display_name or author.name,
        sender_username=author.name,
        sender_is_bot=author.bot,
        sender_is_self=author.id == me.id,
        mentions_bot=mentions_bot,
        reply_to_bot=reply_to_bot,
        message_id=str(message.id),
        guild_name=guild.name if guild is not None else "",
        chat_name=getattr(channel, "name", "") or "",
        parent_chat_id=parent_id,
        parent_chat_name=parent_name,
    )


# Replies never ping: not @everyone, not roles, not the author of the trigger.
QUIET_MENTIONS = discord.AllowedMentions(
    everyone=False, roles=False, users=True, replied_user=False
)


def skip_own_messages(client: discord.Client) -> None:
    """Drop MESSAGE_CREATE events written by the bot itself before discord.py builds a
    Message object from them (every reply comes back that way; building it costs more than
    the policy decision that would ignore it)."""
    state = client._connection
    parse = state.parsers["MESSAGE_CREATE"]

    def parse_unless_own(data: JsonObject) -> None:
        me = state.user
        if me is not None and (data.get("author") or {}).get("id") == str(me.id):
            return
        parse(data)

    state.parsers["MESSAGE_CREATE"] = parse_unless_own


async def send_typing(client: discord.Client, channel_id: int) -> None:
    await client.http.send_typing(channel_id)


async def post(
    client: discord.Client, channel_id: int, text: str, reply_to: int | None = None
) -> str:
    """POST one message straight through discord.py's HTTP client (its rate limiting and
    429 handling included), without building a Message object from the answer."""
    # discord.py's HTTP layer takes the reference as its JSON object (its annotation says
    # MessageReference, which `Messageable.send` turns into that object first).
    reference: Any = MISSING
    if reply_to is not None:
        reference = {"message_id": reply_to, "channel_id": channel_id, "fail_if_not_exists": False}
    with handle_message_parameters(
        content=text, allowed_mentions=QUIET_MENTIONS, message_reference=reference
    ) as params:
        data = await client.http.send_message(channel_id, params=params)
    return str(data["id"])


async def send_chunks(client: discord.Client, channel_id: int, text: str, limit: int) -> str:
    """Send `text` to a channel in chunks; the id of the last message ("" if none)."""
    last = ""
    for chunk in split_reply(text, limit):
        last = await post(client, channel_id, chunk)
    return last

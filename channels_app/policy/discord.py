"""Discord access rules (DESIGN §9, issue 4 points 2-3).

Order: the bot's own messages (quiet), other bots (`allowBots`), DMs (`policy.dm`), then
guild messages: `groupPolicy`, guild by id / slug / `*`, channel by id / name / `*` (threads
use their parent's rule), `allow` and `enabled`, `users[]`, and `requireMention` (channel,
then guild, then section, then true).
"""

from __future__ import annotations

import re
from typing import Any

from agents.inbound import InboundMessage
from channels_app.policy import Decision
from channels_app.policy.dm import PairingStore, decide_dm, sender_matches
from channels_app.policy.mention import is_mentioned, mention_patterns


def slug(name: str) -> str:
    """Discord-style slug: lower case, runs of other characters become one dash."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().lstrip("#")).strip("-")


def match_guild(guilds: dict[str, Any], guild_id: str, guild_name: str) -> tuple[str, Any] | None:
    if guild_id and guild_id in guilds:
        return guild_id, guilds[guild_id]
    if guild_name:
        wanted = slug(guild_name)
        for key, rule in guilds.items():
            if slug(key) == wanted or (getattr(rule, "slug", None) or "") == wanted:
                return key, rule
    if "*" in guilds:
        return "*", guilds["*"]
    return None


def match_channel(
    channels: dict[str, Any], channel_id: str, channel_name: str
) -> tuple[str, Any] | None:
    if channel_id and channel_id in channels:
        return channel_id, channels[channel_id]
    if channel_name:
        for key, rule in channels.items():
            if key.lstrip("#") == channel_name:
                return key, rule
        wanted = slug(channel_name)
        for key, rule in channels.items():
            if key != "*" and slug(key) == wanted:
                return key, rule
    if "*" in channels:
        return "*", channels["*"]
    return None


def _first(*values: bool | None, default: bool = True) -> bool:
    for value in values:
        if value is not None:
            return value
    return default


def decide(inbound: InboundMessage, config: Any, store: PairingStore) -> Decision:
    from channels_app.discord.schema import DiscordConfig
    from channels_app.discord.schema import section as discord_section

    section = discord_section(config) or DiscordConfig()
    if inbound.sender_is_self:
        return Decision.drop("own message", quiet=True)
    if inbound.sender_is_bot and not section.allow_bots:
        return Decision.drop("sender is a bot (allowBots is off)")
    if inbound.chat_kind == "dm":
        dm = section.dm
        return decide_dm(
            inbound,
            policy=section.effective_dm_policy,
            allow_from=section.effective_allow_from,
            store=store,
            enabled=dm.enabled if dm is not None else True,
        )
    return _decide_guild(inbound, config, section)


def _decide_guild(inbound: InboundMessage, config: Any, section: Any) -> Decision:
    policy = section.group_policy or "allowlist"
    if policy == "disabled":
        return Decision.drop("guild messages are disabled (groupPolicy disabled)")
    guild_match = match_guild(section.guilds or {}, inbound.guild_id, inbound.guild_name)
    guild = guild_match[1] if guild_match else None
    if guild is None and policy == "allowlist":
        return Decision.drop("guild not allowlisted (groupPolicy allowlist)")

    channel = None
    channels = getattr(guild, "channels", None) or {}
    if channels:
        in_thread = bool(inbound.parent_chat_id)
        chan_id = inbound.parent_chat_id if in_thread else inbound.chat_id
        chan_name = inbound.parent_chat_name if in_thread else inbound.chat_name
        channel_match = match_channel(channels, chan_id, chan_name)
        if channel_match is None:
            return Decision.drop("channel not allowlisted in this guild")
        channel = channel_match[1]
        if channel.allow is False:
            return Decision.drop("channel not allowed (allow: false)")
        if channel.enabled is False:
            return Decision.drop("channel disabled (enabled: false)")

    users = getattr(channel, "users", None) or getattr(guild, "users", None)
    if users and not sender_matches(inbound, users):
        return Decision.drop("sender not in users allowlist")

    require = _first(
        getattr(channel, "require_mention", None),
        getattr(guild, "require_mention", None),
        section.require_mention,
    )
    if require and not is_mentioned(inbound, mention_patterns(config, section)):
        return Decision.drop("no mention (requireMention)")
    return Decision.allow(system_prompt=getattr(channel, "system_prompt", None) or "")

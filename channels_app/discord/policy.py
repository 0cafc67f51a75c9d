"""Discord access rules (DESIGN §9, issue 4 points 2-3).

Order: the bot's own messages (quiet), other bots (`allowBots`), DMs (`policy.dm`), then
guild messages: `groupPolicy`, guild by id / slug / `*`, channel by id / name / `*` (threads
use their parent's rule), `allow` and `enabled`, `users[]`, and `requireMention` (channel,
then guild, then section, then true).
"""

from __future__ import annotations

import re

from agents.inbound import InboundMessage
from channels_app.discord.schema import DiscordConfig, Guild, GuildChannel, section
from channels_app.policy import Decision
from channels_app.policy.dm import PairingStore, decide_dm, sender_matches
from channels_app.policy.mention import is_mentioned, mention_patterns
from config.schema import EpiloopConfig


def slug(name: str) -> str:
    """Discord-style slug: lower case, runs of other characters become one dash."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().lstrip("#")).strip("-")


def match_guild(
    guilds: dict[str, Guild], guild_id: str, guild_name: str
) -> tuple[str, Guild] | None:
    if guild_id and guild_id in guilds:
        return guild_id, guilds[guild_id]
    if guild_name:
        wanted = slug(guild_name)
        for key, rule in guilds.items():
            if slug(key) == wanted or (rule.slug or "") == wanted:
                return key, rule
    if "*" in guilds:
        return "*", guilds["*"]
    return None


def match_channel(
    channels: dict[str, GuildChannel], channel_id: str, channel_name: str
) -> tuple[str, GuildChannel] | None:
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


def decide(inbound: InboundMessage, config: EpiloopConfig, store: PairingStore) -> Decision:
    dc = section(config) or DiscordConfig()
    if inbound.sender_is_self:
        return Decision.drop("own message", quiet=True)
    if inbound.sender_is_bot and not dc.allow_bots:
        return Decision.drop("sender is a bot (allowBots is off)")
    if inbound.chat_kind == "dm":
        dm = dc.dm
        return decide_dm(
            inbound,
            policy=dc.effective_dm_policy,
            allow_from=dc.effective_allow_from,
            store=store,
            enabled=dm.enabled if dm is not None else True,
        )
    return _decide_guild(inbound, config, dc)


def _decide_guild(inbound: InboundMessage, config: EpiloopConfig, dc: DiscordConfig) -> Decision:
    policy = dc.group_policy or "allowlist"
    if policy == "disabled":
        return Decision.drop("guild messages are disabled (groupPolicy disabled)")
    guild_match = match_guild(dc.guilds or {}, inbound.guild_id, inbound.guild_name)
    guild = guild_match[1] if guild_match else None
    if guild is None and policy == "allowlist":
        return Decision.drop("guild not allowlisted (groupPolicy allowlist)")

    channel: GuildChannel | None = None
    channels = guild.channels if guild is not None else {}
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

    # The closest rule first: the channel's, then the guild's.
    rules: list[GuildChannel | Guild] = [rule for rule in (channel, guild) if rule is not None]
    users = next((rule.users for rule in rules if rule.users), None)
    if users and not sender_matches(inbound, users):
        return Decision.drop("sender not in users allowlist")

    require = _first(*(rule.require_mention for rule in rules), dc.require_mention)
    if require and not is_mentioned(inbound, mention_patterns(config, dc)):
        return Decision.drop("no mention (requireMention)")
    return Decision.allow(
        system_prompt=(channel.system_prompt if channel is not None else None) or ""
    )

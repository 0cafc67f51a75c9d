"""`channels.discord` in `epiloop.json` (DESIGN §6), registered with the config core."""

from __future__ import annotations

import builtins

from pydantic import Field, model_validator

from channels_app.schema import DmConfig, open_needs_wildcard
from config.schema import EpiloopConfig
from config.schema_base import ConfigModel, DmPolicy, GroupPolicy, IdList, Secret
from config.schema_channels import register_channel
from config.tables import Table
from config.tables import register as register_tables


class GuildChannel(ConfigModel):
    allow: bool | None = None
    require_mention: bool | None = None
    users: IdList | None = None
    system_prompt: str | None = None
    enabled: bool | None = None


class Guild(ConfigModel):
    slug: str | None = None
    require_mention: bool | None = None
    users: IdList | None = None
    channels: dict[str, GuildChannel] = Field(default_factory=dict)


class DiscordConfig(ConfigModel):
    enabled: bool = True
    token: Secret | None = None
    group_policy: GroupPolicy = "allowlist"
    require_mention: bool | None = None
    dm: DmConfig | None = None
    dm_policy: DmPolicy | None = None
    allow_from: IdList | None = None
    guilds: dict[str, Guild] = Field(default_factory=dict)
    text_chunk_limit: int = 2000
    history_limit: int | None = None
    allow_bots: bool = False
    api_base: str | None = None
    gateway_url: str | None = None
    mention_patterns: builtins.list[str] | None = None

    @property
    def effective_dm_policy(self) -> str:
        """The flat `dmPolicy` wins over the older nested `dm.policy`; default `pairing`."""
        if self.dm_policy:
            return self.dm_policy
        if self.dm and self.dm.policy:
            return self.dm.policy
        return "pairing"

    @property
    def effective_allow_from(self) -> builtins.list[str]:
        if self.allow_from is not None:
            return self.allow_from
        if self.dm and self.dm.allow_from is not None:
            return self.dm.allow_from
        return []

    @model_validator(mode="after")
    def _check_open_dm(self) -> DiscordConfig:
        if self.dm_policy is not None:
            open_needs_wildcard(self.dm_policy, self.effective_allow_from, "dmPolicy")
        elif self.dm is not None:
            open_needs_wildcard(self.dm.policy, self.effective_allow_from, "dm.policy")
        return self


ALIASES = (("dm.policy", "dmPolicy"), ("dm.allowFrom", "allowFrom"))


def section(cfg: EpiloopConfig) -> DiscordConfig | None:
    """`channels.discord` of `cfg`, or None when the file has no such section."""
    value = cfg.channels.section("discord")
    return value if isinstance(value, DiscordConfig) else None


def register() -> None:
    """Hand `channels.discord`'s schema and admin tables to the config core (app ready)."""
    from channels_app.discord import models as m

    register_channel("discord", DiscordConfig, ALIASES)
    register_tables(
        Table(
            "channels.discord",
            m.DiscordSettings,
            "object",
            children=(
                Table(
                    "guilds",
                    m.DiscordGuild,
                    "map",
                    children=(
                        Table("channels", m.DiscordGuildChannel, "map", parent_field="guild"),
                    ),
                ),
            ),
        )
    )

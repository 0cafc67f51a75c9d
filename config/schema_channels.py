"""`channels.discord` and `channels.telegram` in the config schema (see `schema.py`)."""

from __future__ import annotations

import builtins

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from config.schema_base import ConfigModel, DmPolicy, GroupPolicy, IdList, Secret


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


class DiscordDm(ConfigModel):
    enabled: bool = True
    policy: DmPolicy | None = None
    allow_from: IdList | None = None


def _open_needs_wildcard(
    policy: str | None, allow_from: builtins.list[str] | None, key: str
) -> None:
    if policy == "open" and "*" not in (allow_from or []):
        raise PydanticCustomError(
            "dm_open_without_wildcard",
            'dmPolicy "open" lets anyone message the bot; add "*" to allowFrom to confirm, '
            'or use "pairing" or "allowlist"',
            {"field": key},
        )


class DiscordConfig(ConfigModel):
    enabled: bool = True
    token: Secret | None = None
    group_policy: GroupPolicy = "allowlist"
    require_mention: bool | None = None
    dm: DiscordDm | None = None
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
            _open_needs_wildcard(self.dm_policy, self.effective_allow_from, "dmPolicy")
        elif self.dm is not None:
            _open_needs_wildcard(self.dm.policy, self.effective_allow_from, "dm.policy")
        return self


class TelegramGroup(ConfigModel):
    require_mention: bool | None = None
    allow_from: IdList | None = None
    system_prompt: str | None = None
    enabled: bool | None = None


class TelegramConfig(ConfigModel):
    enabled: bool = True
    bot_token: Secret | None = None
    token_file: str | None = None
    dm_policy: DmPolicy = "pairing"
    allow_from: IdList = Field(default_factory=builtins.list)
    group_policy: GroupPolicy = "allowlist"
    group_allow_from: IdList = Field(default_factory=builtins.list)
    groups: dict[str, TelegramGroup] = Field(default_factory=dict)
    text_chunk_limit: int = 4000
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    api_root: str | None = None
    mention_patterns: builtins.list[str] | None = None

    # Older spellings of the same settings, read (never rewritten) as the current ones.
    token: Secret | None = None  # botToken
    dm: DiscordDm | None = None  # dm.policy / dm.allowFrom -> dmPolicy / allowFrom

    @model_validator(mode="after")
    def _check_open_dm(self) -> TelegramConfig:
        if self.bot_token is None and self.token is not None:
            self.bot_token = self.token
        key = "dmPolicy"
        if self.dm is not None:
            if "dm_policy" not in self.model_fields_set and self.dm.policy:
                self.dm_policy, key = self.dm.policy, "dm.policy"
            if "allow_from" not in self.model_fields_set and self.dm.allow_from is not None:
                self.allow_from = self.dm.allow_from
        _open_needs_wildcard(self.dm_policy, self.allow_from, key)
        return self


class ChannelsConfig(ConfigModel):
    """Only Discord and Telegram are modelled; other keys (slack, `defaults`, `_comment_*`)
    are kept as they are."""

    discord: DiscordConfig | None = None
    telegram: TelegramConfig | None = None

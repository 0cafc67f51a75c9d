"""`channels.telegram` in `epiloop.json` (DESIGN §6), registered with the config core."""

from __future__ import annotations

import builtins

from pydantic import Field, model_validator

from channels_app.schema import DmConfig, open_needs_wildcard
from config.schema import EpiloopConfig
from config.schema_base import ConfigModel, DmPolicy, GroupPolicy, IdList, Secret
from config.schema_channels import register_channel
from config.tables import Table
from config.tables import register as register_tables


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
    dm: DmConfig | None = None  # dm.policy / dm.allowFrom -> dmPolicy / allowFrom

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
        open_needs_wildcard(self.dm_policy, self.allow_from, key)
        return self


ALIASES = (("token", "botToken"), ("dm.policy", "dmPolicy"), ("dm.allowFrom", "allowFrom"))


def section(cfg: EpiloopConfig) -> TelegramConfig | None:
    """`channels.telegram` of `cfg`, or None when the file has no such section."""
    value = cfg.channels.section("telegram")
    return value if isinstance(value, TelegramConfig) else None


def register() -> None:
    """Hand `channels.telegram`'s schema and admin tables to the config core (app ready)."""
    from channels_app.telegram import models as m

    register_channel("telegram", TelegramConfig, ALIASES)
    register_tables(
        Table(
            "channels.telegram",
            m.TelegramSettings,
            "object",
            children=(Table("groups", m.TelegramGroup, "map"),),
        )
    )

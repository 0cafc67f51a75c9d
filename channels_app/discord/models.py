"""Config tables for `channels.discord`: the settings, guilds and their channels. Rows
mirror `epiloop.json` (see `config.rows`); models of the `channels_app` app."""

from __future__ import annotations

from django.db import models

from channels_app.models.fields import (
    DM_POLICIES,
    GROUP_POLICIES,
    IDS_HELP,
    SECRET_HELP,
    optional_text,
)
from config.models.base import ConfigRow, Singleton


class DiscordSettings(Singleton):
    LABEL = "channels.discord"
    JSON_FIELDS = {
        "enabled": ("enabled", "value"),
        "token": ("token", "secret"),
        "group_policy": ("groupPolicy", "value"),
        "require_mention": ("requireMention", "value"),
        "dm_policy": ("dmPolicy", "value"),
        "allow_from": ("allowFrom", "ids"),
        "dm_enabled": ("dm.enabled", "value"),
        "dm_nested_policy": ("dm.policy", "value"),
        "dm_allow_from": ("dm.allowFrom", "ids"),
        "text_chunk_limit": ("textChunkLimit", "value"),
        "history_limit": ("historyLimit", "value"),
        "allow_bots": ("allowBots", "value"),
        "api_base": ("apiBase", "value"),
        "gateway_url": ("gatewayUrl", "value"),
        "mention_patterns": ("mentionPatterns", "json"),
    }
    enabled = models.BooleanField(null=True, blank=True, help_text="Default: on.")
    token = optional_text(help_text=SECRET_HELP)
    group_policy = optional_text(choices=GROUP_POLICIES, help_text="Default allowlist.")
    require_mention = models.BooleanField(null=True, blank=True)
    dm_policy = optional_text(choices=DM_POLICIES, help_text="Default pairing.")
    allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    dm_enabled = models.BooleanField("dm.enabled", null=True, blank=True)
    dm_nested_policy = optional_text(verbose_name="dm.policy (older form)", choices=DM_POLICIES)
    dm_allow_from = models.JSONField("dm.allowFrom (older form)", null=True, blank=True)
    text_chunk_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Default 2000.")
    history_limit = models.PositiveIntegerField(null=True, blank=True)
    allow_bots = models.BooleanField(null=True, blank=True)
    api_base = optional_text()
    gateway_url = optional_text()
    mention_patterns = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "Discord settings"
        verbose_name_plural = "Discord settings"

    def __str__(self) -> str:
        return "channels.discord"


class DiscordGuild(ConfigRow):
    LABEL = "channels.discord.guilds"
    JSON_FIELDS = {
        "slug": ("slug", "value"),
        "require_mention": ("requireMention", "value"),
        "users": ("users", "ids"),
    }
    key = models.CharField(max_length=200, help_text='Guild id, slug or "*".', unique=True)
    slug = optional_text()
    require_mention = models.BooleanField(null=True, blank=True)
    users = models.JSONField(null=True, blank=True, help_text=IDS_HELP)

    class Meta(ConfigRow.Meta):
        verbose_name = "Discord guild"

    def __str__(self) -> str:
        return self.key


class DiscordGuildChannel(ConfigRow):
    LABEL = "channels"
    JSON_FIELDS = {
        "allow": ("allow", "value"),
        "require_mention": ("requireMention", "value"),
        "users": ("users", "ids"),
        "system_prompt": ("systemPrompt", "value"),
        "enabled": ("enabled", "value"),
    }
    guild = models.ForeignKey(DiscordGuild, on_delete=models.CASCADE, related_name="channels")
    key = models.CharField(max_length=200, help_text='Channel id, name or "*".')
    allow = models.BooleanField(null=True, blank=True)
    require_mention = models.BooleanField(null=True, blank=True)
    users = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    system_prompt = models.TextField(null=True, blank=True)
    enabled = models.BooleanField(null=True, blank=True)

    class Meta(ConfigRow.Meta):
        verbose_name = "guild channel"
        constraints = [
            models.UniqueConstraint(fields=["guild", "key"], name="unique_guild_channel_key")
        ]

    def __str__(self) -> str:
        return self.key

"""Config tables for `channels.discord` (guilds -> channels) and `channels.telegram`
(groups). Rows mirror `epiloop.json`, see `config.rows`."""

from __future__ import annotations

from typing import Any

from django.db import models

from config.models.base import ConfigRow, Singleton

GROUP_POLICIES = [(p, p) for p in ("open", "allowlist", "disabled")]
DM_POLICIES = [(p, p) for p in ("pairing", "allowlist", "open", "disabled")]
IDS_HELP = 'JSON list of ids, e.g. ["123456789"]; "*" means anyone.'
SECRET_HELP = "A ${VAR} reference, a SecretRef as JSON, or the token itself."


def _str(**kw: Any) -> models.CharField[str | None, str | None]:
    return models.CharField(max_length=500, null=True, blank=True, **kw)


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
    token = _str(help_text=SECRET_HELP)
    group_policy = _str(choices=GROUP_POLICIES, help_text="Default allowlist.")
    require_mention = models.BooleanField(null=True, blank=True)
    dm_policy = _str(choices=DM_POLICIES, help_text="Default pairing.")
    allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    dm_enabled = models.BooleanField("dm.enabled", null=True, blank=True)
    dm_nested_policy = _str(verbose_name="dm.policy (older form)", choices=DM_POLICIES)
    dm_allow_from = models.JSONField("dm.allowFrom (older form)", null=True, blank=True)
    text_chunk_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Default 2000.")
    history_limit = models.PositiveIntegerField(null=True, blank=True)
    allow_bots = models.BooleanField(null=True, blank=True)
    api_base = _str()
    gateway_url = _str()
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
    slug = _str()
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


class TelegramSettings(Singleton):
    LABEL = "channels.telegram"
    JSON_FIELDS = {
        "enabled": ("enabled", "value"),
        "bot_token": ("botToken", "secret"),
        "token_file": ("tokenFile", "value"),
        "dm_policy": ("dmPolicy", "value"),
        "allow_from": ("allowFrom", "ids"),
        "group_policy": ("groupPolicy", "value"),
        "group_allow_from": ("groupAllowFrom", "ids"),
        "text_chunk_limit": ("textChunkLimit", "value"),
        "webhook_url": ("webhookUrl", "value"),
        "webhook_secret": ("webhookSecret", "secret"),
        "api_root": ("apiRoot", "value"),
        "mention_patterns": ("mentionPatterns", "json"),
    }
    enabled = models.BooleanField(null=True, blank=True, help_text="Default: on.")
    bot_token = _str(help_text=SECRET_HELP)
    token_file = _str()
    dm_policy = _str(choices=DM_POLICIES, help_text="Default pairing.")
    allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    group_policy = _str(choices=GROUP_POLICIES, help_text="Default allowlist.")
    group_allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    text_chunk_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Default 4000.")
    webhook_url = _str()
    webhook_secret = _str(help_text=SECRET_HELP)
    api_root = _str()
    mention_patterns = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "Telegram settings"
        verbose_name_plural = "Telegram settings"

    def __str__(self) -> str:
        return "channels.telegram"


class TelegramGroup(ConfigRow):
    LABEL = "channels.telegram.groups"
    JSON_FIELDS = {
        "require_mention": ("requireMention", "value"),
        "allow_from": ("allowFrom", "ids"),
        "system_prompt": ("systemPrompt", "value"),
        "enabled": ("enabled", "value"),
    }
    key = models.CharField(max_length=200, unique=True, help_text='Chat id or "*".')
    require_mention = models.BooleanField(null=True, blank=True)
    allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    system_prompt = models.TextField(null=True, blank=True)
    enabled = models.BooleanField(null=True, blank=True)

    class Meta(ConfigRow.Meta):
        verbose_name = "Telegram group"

    def __str__(self) -> str:
        return self.key

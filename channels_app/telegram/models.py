"""Config tables for `channels.telegram`: the settings and its groups. Rows mirror
`epiloop.json` (see `config.rows`); models of the `channels_app` app."""

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
    bot_token = optional_text(help_text=SECRET_HELP)
    token_file = optional_text()
    dm_policy = optional_text(choices=DM_POLICIES, help_text="Default pairing.")
    allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    group_policy = optional_text(choices=GROUP_POLICIES, help_text="Default allowlist.")
    group_allow_from = models.JSONField(null=True, blank=True, help_text=IDS_HELP)
    text_chunk_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Default 4000.")
    webhook_url = optional_text()
    webhook_secret = optional_text(help_text=SECRET_HELP)
    api_root = optional_text()
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

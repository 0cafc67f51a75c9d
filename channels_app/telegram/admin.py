"""Admin for `channels.telegram`: the settings and its groups."""

from __future__ import annotations

from django.contrib import admin

from channels_app.telegram.models import TelegramGroup, TelegramSettings
from config.admin_base import ConfigAdmin, SingletonAdmin


@admin.register(TelegramSettings)
class TelegramSettingsAdmin(SingletonAdmin[TelegramSettings]):
    list_display = ["__str__", "enabled", "dm_policy", "group_policy"]
    fields = [
        "enabled",
        "bot_token",
        "token_file",
        "dm_policy",
        "allow_from",
        "group_policy",
        "group_allow_from",
        "text_chunk_limit",
        "webhook_url",
        "webhook_secret",
        "api_root",
        "mention_patterns",
        "other_keys",
    ]


@admin.register(TelegramGroup)
class TelegramGroupAdmin(ConfigAdmin[TelegramGroup]):
    list_display = ["key", "require_mention", "enabled", "position"]
    fields = ["key", "require_mention", "allow_from", "system_prompt", "enabled", "position"]

"""Admin for channels.discord (guilds with their channels inline) and channels.telegram
(groups)."""

from __future__ import annotations

from django.contrib import admin

from channels_app.models.config import (
    DiscordGuild,
    DiscordGuildChannel,
    DiscordSettings,
    TelegramGroup,
    TelegramSettings,
)
from config.admin_base import ConfigAdmin, SingletonAdmin


@admin.register(DiscordSettings)
class DiscordSettingsAdmin(SingletonAdmin):
    list_display = ["__str__", "enabled", "group_policy", "dm_policy"]
    fieldsets = [
        (None, {"fields": ["enabled", "token", "group_policy", "require_mention"]}),
        (
            "Direct messages",
            {
                "fields": [
                    "dm_policy",
                    "allow_from",
                    "dm_enabled",
                    "dm_nested_policy",
                    "dm_allow_from",
                ]
            },
        ),
        (
            "Other",
            {
                "fields": [
                    "text_chunk_limit",
                    "history_limit",
                    "allow_bots",
                    "mention_patterns",
                    "api_base",
                    "gateway_url",
                    "other_keys",
                ]
            },
        ),
    ]


class GuildChannelInline(admin.TabularInline):
    model = DiscordGuildChannel
    extra = 0
    fields = ["key", "allow", "require_mention", "users", "system_prompt", "enabled", "position"]


@admin.register(DiscordGuild)
class DiscordGuildAdmin(ConfigAdmin):
    list_display = ["key", "slug", "require_mention", "position"]
    search_fields = ["key", "slug"]
    fields = ["key", "slug", "require_mention", "users", "position", "other_keys"]
    inlines = [GuildChannelInline]


@admin.register(TelegramSettings)
class TelegramSettingsAdmin(SingletonAdmin):
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
class TelegramGroupAdmin(ConfigAdmin):
    list_display = ["key", "require_mention", "enabled", "position"]
    fields = ["key", "require_mention", "allow_from", "system_prompt", "enabled", "position"]

"""Admin for `channels.discord`: the settings, and guilds with their channels inline."""

from __future__ import annotations

from django.contrib import admin

from channels_app.discord.models import DiscordGuild, DiscordGuildChannel, DiscordSettings
from config.admin_base import ConfigAdmin, SingletonAdmin
from config.admin_generics import TabularInline


@admin.register(DiscordSettings)
class DiscordSettingsAdmin(SingletonAdmin[DiscordSettings]):
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


class GuildChannelInline(TabularInline[DiscordGuildChannel, DiscordGuild]):
    model = DiscordGuildChannel
    extra = 0
    fields = ["key", "allow", "require_mention", "users", "system_prompt", "enabled", "position"]


@admin.register(DiscordGuild)
class DiscordGuildAdmin(ConfigAdmin[DiscordGuild]):
    list_display = ["key", "slug", "require_mention", "position"]
    search_fields = ["key", "slug"]
    fields = ["key", "slug", "require_mention", "users", "position", "other_keys"]
    inlines = [GuildChannelInline]

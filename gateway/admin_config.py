"""Admin for the gateway's own config tables: gateway, session and messages settings."""

from __future__ import annotations

from django.contrib import admin

from config.admin_base import SingletonAdmin
from gateway.models.config import GatewaySettings, MessagesSettings, SessionSettings


@admin.register(GatewaySettings)
class GatewaySettingsAdmin(SingletonAdmin):
    list_display = ["__str__", "mode", "port", "bind", "auth_mode"]
    fieldsets = [
        (None, {"fields": ["mode", "port", "bind", "custom_bind_host"]}),
        ("Auth", {"fields": ["auth_mode", "auth_token", "auth_password"]}),
        (
            "Control UI and HTTP",
            {
                "fields": [
                    "control_ui_enabled",
                    "control_ui_base_path",
                    "allowed_origins",
                    "trusted_proxies",
                    "reload_mode",
                    "chat_completions_enabled",
                ]
            },
        ),
        ("Not modelled", {"fields": ["other_keys"]}),
    ]


@admin.register(SessionSettings)
class SessionSettingsAdmin(SingletonAdmin):
    list_display = ["__str__", "dm_scope"]
    fields = ["dm_scope", "reset_triggers", "other_keys"]


@admin.register(MessagesSettings)
class MessagesSettingsAdmin(SingletonAdmin):
    list_display = ["__str__", "response_prefix", "queue_cap"]
    fields = ["response_prefix", "mention_patterns", "history_limit", "queue_cap", "other_keys"]

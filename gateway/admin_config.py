"""Admin for the gateway's config tables: file state, gateway/session/messages settings and
every other section (edited as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from gateway.config.admin import (
    ConfigAdmin,
    ConfigForm,
    SingletonAdmin,
    export_now,
    import_now,
)
from gateway.config.includes import has_include
from gateway.config.io import load_file
from gateway.config.sync import file_changed_on_disk
from gateway.models.config import (
    ConfigSection,
    ConfigState,
    GatewaySettings,
    MessagesSettings,
    SessionSettings,
)


@admin.register(ConfigState)
class ConfigStateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "path", "source", "synced_at", "changed_on_disk", "history"]
    readonly_fields = [
        "path",
        "file_hash",
        "file_mtime",
        "source",
        "synced_at",
        "file_check",
        "history",
    ]
    exclude = ["document", "order"]
    actions = [import_now, export_now]

    @admin.display(boolean=True, description="Edited on disk since")
    def changed_on_disk(self, obj: ConfigState) -> bool:
        return file_changed_on_disk()

    @admin.display(description="The file now")
    def file_check(self, obj: ConfigState) -> str:
        result = load_file(Path(settings.EPILOOP_CONFIG_PATH))
        if result.ok:
            lines = ["valid"] + [f"warning: {w}" for w in result.warnings]
        else:
            lines = ["INVALID (not applied)", *result.errors]
        if file_changed_on_disk():
            lines.append("edited on disk since it was last imported: run the import action")
        return format_html_join("\n", "<div>{}</div>", ((line,) for line in lines))

    @admin.display(description="History")
    def history(self, obj: ConfigState) -> str:
        from gateway.admin_revisions import history_links

        return history_links()

    def get_queryset(self, request: HttpRequest) -> Any:
        ConfigState.get()  # one row to run the actions on
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


MODELLED_SLOTS = {
    "agents",
    "auth",
    "models",
    "channels",
    "agents.defaults",
    "agents.list",
    "auth.profiles",
    "auth.order",
    "models.providers",
    "channels.discord",
    "channels.telegram",
    "bindings",
    "gateway",
    "session",
    "messages",
}


class ConfigSectionForm(ConfigForm):
    class Meta:
        model = ConfigSection
        fields = ["path", "value", "position"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        path, value = cleaned.get("path"), cleaned.get("value")
        if path in MODELLED_SLOTS and isinstance(value, dict | list) and not has_include(value):
            self.add_error(
                "path",
                f"{path} has its own admin page; edit it there (a section here is only for "
                'an {"$include": ...})',
            )
        return cleaned


@admin.register(ConfigSection)
class ConfigSectionAdmin(ConfigAdmin):
    form = ConfigSectionForm
    list_display = ["path", "position"]
    search_fields = ["path"]
    fields = ["path", "value", "position"]


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

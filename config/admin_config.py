"""Admin for the config file's state and every section no app models as a table (edited as
JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from config.admin_base import (
    ConfigAdmin,
    ConfigForm,
    export_now,
    import_now,
)
from config.admin_generics import ModelAdmin
from config.includes import has_include
from config.io import load_file
from config.models import ConfigSection, ConfigState
from config.sync import file_changed_on_disk
from config.tables import modelled_slots


@admin.register(ConfigState)
class ConfigStateAdmin(ModelAdmin[ConfigState]):
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
        from config.admin_revisions import history_links

        return history_links()

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConfigState]:
        ConfigState.get()  # one row to run the actions on
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ConfigState | None = None) -> bool:
        return False


class ConfigSectionForm(ConfigForm[ConfigSection]):
    class Meta:
        model = ConfigSection
        fields = ["path", "value", "position"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        path, value = cleaned.get("path"), cleaned.get("value")
        if path in modelled_slots() and isinstance(value, dict | list) and not has_include(value):
            self.add_error(
                "path",
                f"{path} has its own admin page; edit it there (a section here is only for "
                'an {"$include": ...})',
            )
        return cleaned


@admin.register(ConfigSection)
class ConfigSectionAdmin(ConfigAdmin[ConfigSection]):
    form = ConfigSectionForm
    list_display = ["path", "position"]
    search_fields = ["path"]
    fields = ["path", "value", "position"]

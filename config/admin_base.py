"""What every config admin page shares: a save (or delete) exports `epiloop.json` at once,
refused when the file was edited on disk since it was last read; "Import epiloop.json now"
and "Export to epiloop.json now" actions; the keys Epiloop does not model, shown as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from config.admin_generics import ModelAdmin, ModelForm
from config.errors import ConfigError
from config.jsontypes import JsonObject
from config.models.base import ConfigRow, PrettyJSONFormField
from config.sync import STALE_MESSAGE, export_file, file_changed_on_disk, import_file

CHILD_KEYS = {"guilds", "channels", "groups"}  # rows of their own, edited on their pages

_M = TypeVar("_M", bound=Model)


def modelled_keys(obj: Model) -> set[str]:
    paths = (obj.JSON_FIELDS if isinstance(obj, ConfigRow) else {}).values()
    return {path.split(".")[0] for path, _ in paths} | CHILD_KEYS


def other_keys(obj: Model) -> JsonObject:
    """Keys of the row's JSON object that no column models (kept and written back)."""
    raw = obj.raw if isinstance(obj, ConfigRow) else None
    if not isinstance(raw, dict):
        return {}
    modelled = modelled_keys(obj)
    return {k: v for k, v in raw.items() if k not in modelled}


def with_other_keys(obj: ConfigRow, extra: JsonObject) -> JsonObject:
    """`obj.raw` with its unmodelled keys replaced by `extra` (kept keys stay in place)."""
    raw = obj.raw if isinstance(obj.raw, dict) else {}
    modelled = modelled_keys(obj)
    out = {
        k: (v if k in modelled else extra[k]) for k, v in raw.items() if k in modelled or k in extra
    }
    out.update({k: v for k, v in extra.items() if k not in out})
    return out


def username(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


def masked(secret: str) -> str:
    return "•" * 8 + (secret[-4:] if len(secret) >= 12 else "")


def literal_secret(value: object) -> bool:
    """A token written into the file itself (not a `${VAR}` or a SecretRef)."""
    return isinstance(value, str) and bool(value) and "${" not in value and value[:1] != "{"


class ConfigForm(ModelForm[_M], Generic[_M]):
    other_keys = PrettyJSONFormField(
        label="Other keys",
        required=False,
        help_text="Keys Epiloop does not model, as a JSON object; kept and written back as is.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other_keys"].initial = other_keys(self.instance)
        # Literal tokens never reach the browser: the page shows them masked, and a masked
        # value coming back means "unchanged".
        self._secrets: dict[str, str] = {}
        spec = self.instance.JSON_FIELDS if isinstance(self.instance, ConfigRow) else {}
        for attr, (_, kind) in spec.items():
            value = getattr(self.instance, attr, None)
            if kind != "secret" or attr not in self.fields or not isinstance(value, str):
                continue
            if literal_secret(value):
                self._secrets[attr] = value
                self.initial[attr] = masked(value)
                self.fields[attr].help_text = "Shown masked; type a new value to replace it."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for attr, original in self._secrets.items():
            if cleaned.get(attr) == masked(original):
                cleaned[attr] = original
        if file_changed_on_disk():
            raise ValidationError(STALE_MESSAGE)
        extra = cleaned.get("other_keys")
        if self._edits_other_keys() and extra not in (None, ""):
            if not isinstance(extra, dict):
                self.add_error("other_keys", "Write a JSON object, e.g. {} for none.")
            else:
                clash = sorted(set(extra) & modelled_keys(self.instance))
                if clash:
                    self.add_error(
                        "other_keys", f"{', '.join(clash)}: set these in their own fields above."
                    )
        return cleaned

    def _edits_other_keys(self) -> bool:
        """Only a page that shows the field may change the keys (a form without it keeps them)."""
        return isinstance(self.instance, ConfigRow) and self.add_prefix("other_keys") in self.data

    def save(self, commit: bool = True) -> _M:
        if isinstance(self.instance, ConfigRow) and self._edits_other_keys():
            extra = self.cleaned_data.get("other_keys")
            self.instance.raw = with_other_keys(
                self.instance, extra if isinstance(extra, dict) else {}
            )
        return super().save(commit)


@admin.action(description="Import epiloop.json now")
def import_now(
    modeladmin: admin.ModelAdmin[_M], request: HttpRequest, queryset: QuerySet[_M]
) -> None:
    outcome = import_file(source="admin", user=username(request))
    path = outcome.result.path
    if outcome.problems:
        for problem in outcome.problems:
            modeladmin.message_user(request, problem, messages.ERROR)
        modeladmin.message_user(request, f"{path} is invalid; nothing imported", messages.ERROR)
        return
    count = len(outcome.changes)
    modeladmin.message_user(request, f"Imported {path}: {count} change(s).", messages.SUCCESS)


@admin.action(description="Export to epiloop.json now")
def export_now(
    modeladmin: admin.ModelAdmin[_M], request: HttpRequest, queryset: QuerySet[_M]
) -> None:
    try:
        export_file(source="admin", user=username(request))
    except ConfigError as exc:
        for problem in exc.problems:
            modeladmin.message_user(request, problem, messages.ERROR)
        return
    modeladmin.message_user(request, "Exported to epiloop.json.", messages.SUCCESS)


class ConfigAdmin(ModelAdmin[_M], Generic[_M]):
    form: type[forms.ModelForm[_M]] = ConfigForm
    actions = [import_now, export_now]

    def get_actions(
        self, request: HttpRequest
    ) -> dict[str, tuple[Callable[..., str], str, str] | None]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes go through the page that exports
        return actions

    def save_model(
        self, request: HttpRequest, obj: _M, form: forms.ModelForm[_M], change: bool
    ) -> None:
        if not change and hasattr(obj, "position") and obj.pk is None and not obj.position:
            top = type(obj)._default_manager.aggregate(top=Max("position"))["top"]
            obj.position = 0 if top is None else top + 1
        super().save_model(request, obj, form, change)

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[_M],
        formset: BaseInlineFormSet[Model, _M, forms.ModelForm[Model]],
        change: bool,
    ) -> None:
        """New inline rows go after the existing ones."""
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        # An inline formset's queryset is never None (its parent's rows, or none yet).
        taken = [o.position for o in formset.queryset or () if hasattr(o, "position")]
        for obj in rows:
            if obj.pk is None and hasattr(obj, "position") and not obj.position and taken:
                obj.position = max(taken) + 1
                taken.append(obj.position)
            obj.save()
        formset.save_m2m()

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[_M],
        formsets: list[BaseInlineFormSet[Model, _M, forms.ModelForm[Model]]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        export_file(
            source="admin",
            user=username(request),
            note=f"{'changed' if change else 'added'} {form.instance}",
        )

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        label = str(obj)
        super().delete_model(request, obj)
        export_file(source="admin", user=username(request), note=f"deleted {label}")

    def _refused(self, request: HttpRequest, exc: ConfigError) -> HttpResponse:
        for problem in exc.problems:
            self.message_user(request, f"Not saved: {problem}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConfigError as exc:
            return self._refused(request, exc)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and file_changed_on_disk():
            self.message_user(request, f"Not deleted: {STALE_MESSAGE}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        try:
            return super().delete_view(request, object_id, extra_context)
        except ConfigError as exc:
            return self._refused(request, exc)


class SingletonAdmin(ConfigAdmin[_M]):
    """A section that exists at most once: "add" creates it in the file."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model._default_manager.exists()

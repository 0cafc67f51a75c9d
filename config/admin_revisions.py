"""Admin for the config revision history: list, readable diff between any two revisions
(or a revision and the file now), restore, and "preview import" of the file as it is."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from config import revisions
from config.admin_base import username
from config.admin_generics import ModelAdmin
from config.errors import ConfigError
from config.models.revisions import ConfigRevision
from config.openclaw import report
from config.sync import config_path, file_changed_on_disk, import_file

FILE = "file"


def _list_url() -> str:
    return reverse("admin:config_configrevision_changelist")


def _diff_url(old: str | int, new: str | int) -> str:
    return reverse("admin:config_configrevision_diff") + f"?from={old}&to={new}"


@admin.action(description="Compare the two selected revisions")
def compare_selected(
    modeladmin: admin.ModelAdmin[ConfigRevision],
    request: HttpRequest,
    queryset: QuerySet[ConfigRevision],
) -> HttpResponse | None:
    ids = sorted(queryset.values_list("id", flat=True))
    if len(ids) != 2:
        modeladmin.message_user(request, "Select exactly two revisions.", messages.WARNING)
        return None
    return HttpResponseRedirect(_diff_url(ids[0], ids[1]))


@admin.register(ConfigRevision)
class ConfigRevisionAdmin(ModelAdmin[ConfigRevision]):
    list_display = ["id", "created_at", "source", "user", "hash_prefix", "note", "size_shown"]
    list_display_links = ["id", "created_at"]
    list_filter = ["source"]
    search_fields = ["note", "user", "hash"]
    actions = [compare_selected]
    change_list_template = "config/revision_list.html"

    @admin.display(description="hash")
    def hash_prefix(self, obj: ConfigRevision) -> str:
        return obj.hash[:12]

    @admin.display(description="size")
    def size_shown(self, obj: ConfigRevision) -> str:
        return f"{obj.size} B"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ConfigRevision | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ConfigRevision | None = None
    ) -> bool:
        return False  # the history never loses an edit; old ones are pruned by count

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("diff/", wrap(self.diff_view), name="config_configrevision_diff"),
            path("preview/", wrap(self.preview_view), name="config_configrevision_preview"),
            path(
                "<int:pk>/restore/",
                wrap(self.restore_view),
                name="config_configrevision_restore",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra: object) -> dict[str, object]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "list_url": _list_url(),
            **extra,
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        rev = get_object_or_404(ConfigRevision, pk=object_id)
        previous = ConfigRevision.objects.filter(id__lt=rev.pk).order_by("-id").first()
        context = self._context(
            request,
            str(rev),
            revision=rev,
            previous_url=_diff_url(previous.pk, rev.pk) if previous else "",
            file_url=_diff_url(rev.pk, FILE),
            restore_url=reverse("admin:config_configrevision_restore", args=[rev.pk]),
            can_restore=_may_write(request),
        )
        return TemplateResponse(request, "config/revision.html", context)

    def _side(self, key: str | None) -> tuple[str, str]:
        """(label, text) of one side of a diff: a revision id or `file`."""
        if key == FILE:
            text = revisions.read_file_text(config_path())
            return f"{config_path()} (now)", text or ""
        if not key or not key.isdigit():
            raise Http404("from and to must be revision ids or 'file'")
        rev = get_object_or_404(ConfigRevision, pk=int(key))
        when = rev.created_at.strftime("%Y-%m-%d %H:%M:%S")
        return f"revision {rev.pk} ({rev.source}, {when})", rev.text

    def diff_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        old_label, old = self._side(request.GET.get("from"))
        new_label, new = self._side(request.GET.get("to"))
        lines = revisions.unified_diff(old, new, old_label, new_label)
        context = self._context(
            request,
            f"Diff: {old_label} → {new_label}",
            lines=[(_kind(line), line) for line in lines],
            same=not lines,
        )
        return TemplateResponse(request, "config/diff.html", context)

    def restore_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST" or not _may_write(request):
            raise PermissionDenied
        rev = get_object_or_404(ConfigRevision, pk=pk)
        try:
            new = revisions.restore(rev, user=username(request))
        except ConfigError as exc:
            for problem in exc.problems:
                self.message_user(request, f"Not restored: {problem}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:config_configrevision_change", args=[pk]))
        now = f" (now revision {new.pk})" if new else ""
        self.message_user(request, f"Restored revision {rev.pk}{now}.", messages.SUCCESS)
        return HttpResponseRedirect(_list_url())

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """What importing the config file now would change; POST imports it for real."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        target = config_path()
        if request.method == "POST":
            if not _may_write(request):
                raise PermissionDenied
            outcome = import_file(target, source="admin", user=username(request))
            if outcome.problems:
                for problem in outcome.problems:
                    self.message_user(request, problem, messages.ERROR)
                self.message_user(request, f"{target} is invalid; nothing imported", messages.ERROR)
            else:
                count = len(outcome.changes)
                self.message_user(
                    request, f"Imported {target}: {count} change(s).", messages.SUCCESS
                )
            return HttpResponseRedirect(request.get_full_path())
        outcome = import_file(target, dry_run=True, apply=False)
        result = outcome.result
        last = revisions.latest()
        context = self._context(
            request,
            "Preview import of the config file",
            path=target,
            changes=outcome.changes,
            problems=outcome.problems,
            warnings=[w for w in result.warnings if not w.endswith("kept as written")],
            report=report(result.document, result.config),
            edited_on_disk=file_changed_on_disk(),
            diff_url=_diff_url(last.pk, FILE) if last and last.hash != result.hash else "",
            can_import=_may_write(request) and not outcome.problems,
        )
        return TemplateResponse(request, "config/preview.html", context)


def _may_write(request: HttpRequest) -> bool:
    """Restoring and importing change the config: the same right as editing it."""
    return bool(request.user.has_perm("gateway.change_configstate"))


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "head"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


def history_links() -> str:
    return format_html(
        '<a href="{}">Preview import of the file</a> · <a href="{}">Revision history</a>',
        reverse("admin:config_configrevision_preview"),
        _list_url(),
    )

"""Admin for sessions, messages, usage and prices, plus the route explainer and the
instruction file editor (thin shells over `agents.store`, `agents.explain`,
`agents.instructions`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from agents import agentconf, explain, instructions, store
from agents.models import (
    InstructionFiles,
    Message,
    ModelPrice,
    RouteExplainer,
    Session,
    UsageDay,
)
from config.admin_generics import ModelAdmin, TabularInline


class MessageInline(TabularInline[Message, Session]):
    model = Message
    extra = 0
    can_delete = False
    fields = ("created_at", "role", "text", "model", "tokens_in", "tokens_out", "latency_ms", "ok")
    readonly_fields = fields
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ModelAdmin[Session]):
    list_display = (
        "key",
        "agent_id",
        "channel",
        "title",
        "active",
        "message_count",
        "tokens_in",
        "tokens_out",
        "updated_at",
    )
    list_filter = ("active", "agent_id", "channel")
    search_fields = ("key", "title")
    readonly_fields = (
        "key",
        "agent_id",
        "channel",
        "created_at",
        "updated_at",
        "message_count",
        "tokens_in",
        "tokens_out",
    )
    fields = ("key", "agent_id", "channel", "title", "active", *readonly_fields[3:])
    inlines = (MessageInline,)
    actions = ("start_fresh",)

    @admin.action(description="Start a fresh session (as /new)")
    def start_fresh(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        keys = sorted({s.key for s in queryset})
        for key in keys:
            store.reset_session(key)
        self.message_user(request, f"Started {len(keys)} fresh session(s).", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(ModelAdmin[Message]):
    list_display = (
        "created_at",
        "session",
        "role",
        "short_text",
        "model",
        "tokens_in",
        "tokens_out",
        "latency_ms",
        "ok",
    )
    list_filter = ("role", "ok", "provider", "model")
    search_fields = ("text", "session__key")
    list_select_related = ("session",)
    readonly_fields = [f.name for f in Message._meta.fields]

    @admin.display(description="text")
    def short_text(self, obj: Message) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(UsageDay)
class UsageDayAdmin(ModelAdmin[UsageDay]):
    list_display = (
        "day",
        "agent_id",
        "provider",
        "model",
        "turns",
        "tokens_in",
        "tokens_out",
        "cost",
    )
    list_filter = ("agent_id", "provider", "model")
    date_hierarchy = "day"
    readonly_fields = ("day", "agent_id", "provider", "model", "turns", "tokens_in", "tokens_out")

    @admin.display(description="estimated cost ($)")
    def cost(self, obj: UsageDay) -> str:
        value = obj.estimated_cost()
        return "—" if value is None else f"{value:.4f}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ModelPrice)
class ModelPriceAdmin(ModelAdmin[ModelPrice]):
    list_display = ("model", "input_per_mtok", "output_per_mtok")
    list_editable = ("input_per_mtok", "output_per_mtok")
    search_fields = ("model",)


class RouteForm(forms.Form):
    channel = forms.CharField(initial="discord", help_text="discord, telegram, …")
    account_id = forms.CharField(initial="default", required=False, label="Account")
    chat_kind = forms.ChoiceField(
        choices=[("dm", "dm"), ("group", "group"), ("channel", "channel")], label="Chat kind"
    )
    chat_id = forms.CharField(required=False, label="Chat id")
    guild_id = forms.CharField(required=False, label="Guild id")
    sender_id = forms.CharField(required=False, label="Sender id")
    team_id = forms.CharField(required=False, label="Team id")
    parent_chat_id = forms.CharField(required=False, label="Parent chat id (threads)")


class _PageAdmin(ModelAdmin[Session]):
    """A model-less admin page: no add, change or delete, only its own view."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return request.user.is_active and request.user.is_staff


@admin.register(RouteExplainer)
class RouteExplainerAdmin(_PageAdmin):
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        form = RouteForm(request.GET if "explain" in request.GET else None)
        rows: list[tuple[str, str]] = []
        if form.is_bound and form.is_valid():
            rows = explain.explain(explain.inbound_from(form.cleaned_data))["rows"]
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "rows": rows,
            "title": "Route explainer",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/agents/route_explainer.html", context)


@admin.register(InstructionFiles)
class InstructionFilesAdmin(_PageAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        ids = agentconf.agent_ids()
        wanted = (
            request.POST.get("agent") or request.GET.get("agent") or agentconf.default_agent_id()
        )
        agent = agentconf.info(wanted if wanted in ids else ids[0])
        if request.method == "POST":
            if not self.has_change_permission(request):
                return HttpResponse("Only superusers may edit instruction files.", status=403)
            for name in instructions.FILES:
                if name in request.POST:
                    instructions.write_file(agent, name, request.POST[name])
            self.message_user(
                request, f"Saved the instruction files of {agent.id}.", messages.SUCCESS
            )
            return HttpResponseRedirect(f"?agent={agent.id}")
        files = [(n, instructions.read_file(agent.workspace / n)) for n in instructions.FILES]
        context = {
            **self.admin_site.each_context(request),
            "agent": agent,
            "agent_ids": ids,
            "files": files,
            "prompt": instructions.system_prompt(agent),
            "title": "Instruction files",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/agents/instructions.html", context)

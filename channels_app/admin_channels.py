"""Admin for DM pairing (approve action), approved senders and dropped messages."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from channels_app import pairing
from channels_app.models import ApprovedSender, DroppedMessage, PairingRequest
from config.admin_generics import ModelAdmin


@admin.register(PairingRequest)
class PairingRequestAdmin(ModelAdmin[PairingRequest]):
    list_display = [
        "code",
        "channel",
        "sender_id",
        "sender_name",
        "created_at",
        "expires_at",
        "approved_at",
    ]
    list_filter = ["channel", "approved_at"]
    search_fields = ["code", "sender_id", "sender_name"]
    readonly_fields = [f.name for f in PairingRequest._meta.fields]
    actions = ["approve_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Approve selected pairing codes")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[PairingRequest]) -> None:
        for row in queryset:
            try:
                sender = pairing.approve(row.channel, row.code)
            except pairing.PairingError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"approved {sender.channel} sender {sender.sender_name or sender.sender_id}",
                )


@admin.register(ApprovedSender)
class ApprovedSenderAdmin(ModelAdmin[ApprovedSender]):
    list_display = ["sender_id", "sender_name", "channel", "account_id", "approved_at"]
    list_filter = ["channel"]
    search_fields = ["sender_id", "sender_name"]


@admin.register(DroppedMessage)
class DroppedMessageAdmin(ModelAdmin[DroppedMessage]):
    list_display = [
        "created_at",
        "channel",
        "guild_id",
        "chat_id",
        "chat_name",
        "sender_id",
        "sender_name",
        "reason",
    ]
    list_filter = ["channel", "chat_kind", "reason"]
    search_fields = ["reason", "sender_id", "sender_name", "chat_id", "guild_id", "text"]
    readonly_fields = [f.name for f in DroppedMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Above the drops: what each running channel is doing right now."""
        if request.method == "GET":
            for line in status_lines():
                self.message_user(request, line, messages.INFO)
        return super().changelist_view(request, extra_context)


def _when(ts: object) -> str:
    if not isinstance(ts, (int, float)):
        return "never"
    return time.strftime("%H:%M:%S", time.localtime(ts))


def status_lines() -> list[str]:
    from channels_app.runner import statuses

    lines = []
    for name, st in statuses().items():
        state = (
            "connected" if st.get("connected") else "fatal" if st.get("fatal") else "not connected"
        )
        who = f" as {st['bot_user']}" if st.get("bot_user") else ""
        lines.append(
            f"{name}: {state}{who}; guilds {st.get('guild_count', 0)}; last connect "
            f"{_when(st.get('last_connect'))}; last inbound {_when(st.get('last_inbound'))}; "
            f"last outbound {_when(st.get('last_outbound'))}; "
            f"last error: {st.get('last_error') or 'none'}"
        )
    if not lines:
        lines.append("no chat channel is running in this process")
    return lines

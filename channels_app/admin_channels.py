"""Admin for DM pairing (approve action), approved senders and dropped messages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from channels_app import pairing
from channels_app.models import ApprovedSender, DroppedMessage, PairingRequest


@admin.register(PairingRequest)
class PairingRequestAdmin(admin.ModelAdmin):
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
class ApprovedSenderAdmin(admin.ModelAdmin):
    list_display = ["sender_id", "sender_name", "channel", "account_id", "approved_at"]
    list_filter = ["channel"]
    search_fields = ["sender_id", "sender_name"]


@admin.register(DroppedMessage)
class DroppedMessageAdmin(admin.ModelAdmin):
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

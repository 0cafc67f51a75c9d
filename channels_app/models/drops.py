from __future__ import annotations

from django.db import models


class DroppedMessage(models.Model):
    """An inbound message the access policy refused, with the reason (newest 1000 kept)."""

    channel = models.CharField(max_length=32)
    account_id = models.CharField(max_length=64, default="default")
    chat_kind = models.CharField(max_length=16)
    guild_id = models.CharField(max_length=64, blank=True)
    chat_id = models.CharField(max_length=64, blank=True)
    chat_name = models.CharField(max_length=200, blank=True)
    sender_id = models.CharField(max_length=64, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300)
    text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.guild_id or self.chat_kind}/{self.chat_id}: {self.reason}"

from __future__ import annotations

from django.db import models


class PairingRequest(models.Model):
    """A DM pairing code handed to an unknown sender; approved by the operator."""

    channel = models.CharField(max_length=32)
    account_id = models.CharField(max_length=64, default="default")
    sender_id = models.CharField(max_length=64)
    sender_name = models.CharField(max_length=200, blank=True)
    chat_id = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "sender_id"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.code} ({self.sender_name or self.sender_id})"


class ApprovedSender(models.Model):
    """A DM sender the operator approved; remembered until deleted."""

    channel = models.CharField(max_length=32)
    account_id = models.CharField(max_length=64, default="default")
    sender_id = models.CharField(max_length=64)
    sender_name = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=8, blank=True)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account_id", "sender_id"], name="unique_approved_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.sender_name or self.sender_id}"

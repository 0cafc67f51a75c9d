"""Conversations: one `Session` row per session key and start (`/new` starts another), and
every user and assistant `Message` with its model, provider, token usage and latency, and
the tool calls and results of turns that used tools."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class Session(models.Model):
    key = models.CharField(max_length=300, db_index=True, help_text="agent:<id>:...")
    agent_id = models.CharField(max_length=200, db_index=True)
    channel = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="The first message, cut short.")
    active = models.BooleanField(
        default=True, help_text="The current session of its key; /new and /reset end it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    message_count = models.PositiveIntegerField(default=0)
    tokens_in = models.PositiveBigIntegerField(default=0)
    tokens_out = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-updated_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(active=True), name="one_active_session_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.key if self.active else f"{self.key} (ended)"


class Message(models.Model):
    ROLES: ClassVar[list[tuple[str, str]]] = [
        ("user", "user"),
        ("assistant", "assistant"),
        ("tool", "tool results"),
    ]

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20, choices=ROLES)
    text = models.TextField()
    # Content blocks when the message is more than text: an assistant's tool calls
    # ({"type": "tool_use", ...}) or a `tool` message's results ({"type": "tool_result", ...}).
    blocks = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sender_id = models.CharField(max_length=200, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    provider = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=200, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=True)
    error = models.CharField(max_length=600, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["session", "-id"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:60]}"


class RouteExplainer(Session):
    """Admin entry for the route explainer page (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "route explainer"
        verbose_name_plural = "route explainer"


class InstructionFiles(Session):
    """Admin entry for editing agents' workspace instruction files (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "instruction files"
        verbose_name_plural = "instruction files"


def _forget_cached_history(sender: type[Session], instance: Session, **kwargs: object) -> None:
    """An admin edit or delete of a session must not leave stale history in memory."""
    from agents import memory

    memory.forget(instance.key)


models.signals.post_save.connect(_forget_cached_history, sender=Session)
models.signals.post_delete.connect(_forget_cached_history, sender=Session)

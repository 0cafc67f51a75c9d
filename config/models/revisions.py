"""`ConfigRevision`: the text of `epiloop.json` at every import and export (DESIGN §6)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

SOURCES = [("file", "file"), ("admin", "admin"), ("api", "api"), ("cli", "cli")]


class ConfigRevision(models.Model):
    """One version of the config file, kept exactly as it was read or written (comments of
    a JSON5 file included), so any earlier version can be compared and restored."""

    text = models.TextField()
    hash = models.CharField(max_length=64, db_index=True, help_text="sha256 of the file")
    source = models.CharField(max_length=8, choices=SOURCES)
    user = models.CharField(max_length=150, blank=True, help_text="who made the change")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        verbose_name = "config revision"
        db_table = "gateway_configrevision"

    def __str__(self) -> str:
        return f"revision {self.pk} ({self.source}, {self.hash[:10]})"

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))

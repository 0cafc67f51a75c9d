"""What the database knows about the config file, and the sections no app models as a
table."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from config.models.base import OrderedJSONField


class ConfigState(models.Model):
    """What the database knows about the file: the last valid document imported or
    written, the hash of the file text last read or written, and key order of containers."""

    path = models.CharField(max_length=1000, blank=True)
    document = OrderedJSONField(null=True, blank=True)
    order = OrderedJSONField(default=dict, blank=True)
    file_hash = models.CharField(max_length=64, blank=True)
    file_mtime = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=20, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "config file state"
        verbose_name_plural = "config file state"
        db_table = "gateway_configstate"

    def __str__(self) -> str:
        return f"{self.path or 'epiloop.json'} ({self.file_hash[:8] or 'never read'})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def get(cls) -> ConfigState:
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class ConfigSection(models.Model):
    """A section Epiloop does not model as a table (`hooks`, `tools`, `channels.slack`,
    `agents.entries`, ...), kept and edited as JSON. `path` is the key, dotted under a
    modelled container."""

    path = models.CharField(max_length=300, unique=True)
    value = OrderedJSONField(null=True, blank=True, help_text="Any JSON value.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        verbose_name = "other config section"
        db_table = "gateway_configsection"

    def __str__(self) -> str:
        return self.path

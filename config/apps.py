from __future__ import annotations

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The bottom floor: `epiloop.json` <-> schema <-> tables. Imports no other project app;
    the apps above register their sections and tables with it (see `config.tables`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "config"
    verbose_name = "Config"

from __future__ import annotations

from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_app"

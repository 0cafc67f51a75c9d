from __future__ import annotations

from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_app"

    def ready(self) -> None:
        # Registers config sections and the route explainer's hook; no bot starts here.
        from channels_app import registry
        from channels_app.explain import register

        registry.register_config()
        register()

from __future__ import annotations

from django.apps import AppConfig


class ChannelsAppConfig(AppConfig):
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_app"

    def ready(self) -> None:
        # Registers config sections and the route explainer's hook; no bot starts here.
        from agents.tools import outbound as tool_outbound
        from channels_app import outbound, registry
        from channels_app.explain import register

        registry.register_config()
        register()
        tool_outbound.install(outbound.send_text)  # the `message` tool sends through channels

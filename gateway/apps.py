from __future__ import annotations

from django.apps import AppConfig


class GatewayConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gateway"

    def ready(self) -> None:
        from django.contrib import admin

        import gateway.checks  # noqa: F401  (registers the epiloop system checks)
        from config.tables import Table, register
        from gateway.admin_login import GatewayLoginForm
        from gateway.models import GatewaySettings, MessagesSettings, SessionSettings

        # Pending tool approvals become protocol events (agents cannot import the gateway).
        from gateway.protocol import approvals

        approvals.install()

        admin.site.login_form = GatewayLoginForm
        admin.site.login_template = "gateway/admin_login.html"
        admin.site.site_header = "Epiloop administration"
        admin.site.site_title = "Epiloop"

        register(
            Table("gateway", GatewaySettings, "object"),
            Table("session", SessionSettings, "object"),
            Table("messages", MessagesSettings, "object"),
        )

from __future__ import annotations

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agents"

    def ready(self) -> None:
        from agents.models import config as m
        from agents.tools import mcp as mcp_tools
        from config.tables import Table, register

        register(
            Table("agents.defaults", m.AgentDefaults, "object"),
            Table("agents.list", m.Agent, "list"),
            Table("bindings", m.Binding, "list"),
            Table("auth.profiles", m.AuthProfile, "map", key_field="profile_id"),
            Table("auth.order", m.AuthOrder, "map", key_field="provider", value_field="profiles"),
            Table("models.providers", m.Provider, "map", key_field="name"),
        )
        mcp_tools.install()  # registers MCP servers' tools; starts no server

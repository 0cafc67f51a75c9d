"""Admin for agents, agent defaults, auth profiles (secrets masked, never exported), auth
order, model providers and bindings."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from agents.models.config import (
    Agent,
    AgentDefaults,
    AuthOrder,
    AuthProfile,
    Binding,
    Provider,
)
from config.admin_base import ConfigAdmin, ConfigForm, SingletonAdmin


@admin.register(AgentDefaults)
class AgentDefaultsAdmin(SingletonAdmin[AgentDefaults]):
    fields = [
        "model_primary",
        "model_fallbacks",
        "max_concurrent",
        "timeout_seconds",
        "workspace",
        "models",
        "other_keys",
    ]


@admin.register(Agent)
class AgentAdmin(ConfigAdmin[Agent]):
    list_display = ["agent_id", "name", "is_default", "model_primary", "position"]
    search_fields = ["agent_id", "name"]
    fields = [
        "agent_id",
        "is_default",
        "name",
        "model_primary",
        "model_fallbacks",
        "identity_name",
        "identity_emoji",
        "workspace",
        "position",
        "other_keys",
    ]


def mask(secret: str | None) -> str:
    if not secret:
        return "(none: the provider's environment key is used)"
    return "•" * 8 + (secret[-4:] if len(secret) >= 12 else "")


class AuthProfileForm(ConfigForm[AuthProfile]):
    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted in the database, never written to epiloop.json. "
        "Leave blank to keep the stored key; enter - to remove it.",
    )

    class Meta:
        model = AuthProfile
        fields = ["profile_id", "provider", "mode", "email", "position"]


@admin.register(AuthProfile)
class AuthProfileAdmin(ConfigAdmin[AuthProfile]):
    form = AuthProfileForm
    list_display = ["profile_id", "provider", "mode", "stored_key"]
    search_fields = ["profile_id", "provider"]
    fields = [
        "profile_id",
        "provider",
        "mode",
        "email",
        "api_key",
        "stored_key",
        "position",
        "other_keys",
    ]
    readonly_fields = ["stored_key"]

    @admin.display(description="Stored key")
    def stored_key(self, obj: AuthProfile) -> str:
        return mask(obj.get_secret())

    def save_model(
        self,
        request: HttpRequest,
        obj: AuthProfile,
        form: forms.ModelForm[AuthProfile],
        change: bool,
    ) -> None:
        entered = form.cleaned_data.get("api_key")
        if entered == "-":
            obj.set_secret(None)
        elif entered:
            obj.set_secret(entered)
        super().save_model(request, obj, form, change)


@admin.register(AuthOrder)
class AuthOrderAdmin(ConfigAdmin[AuthOrder]):
    list_display = ["provider", "profiles", "position"]
    fields = ["provider", "profiles", "position"]


@admin.register(Provider)
class ProviderAdmin(ConfigAdmin[Provider]):
    list_display = ["name", "api", "base_url"]
    search_fields = ["name"]
    fields = ["name", "base_url", "api_key", "api", "models", "position", "other_keys"]


@admin.register(Binding)
class BindingAdmin(ConfigAdmin[Binding]):
    list_display = ["__str__", "agent_id", "match_channel", "match_account_id", "position"]
    list_filter = ["match_channel"]
    fields = [
        "agent_id",
        "match_channel",
        "match_account_id",
        "match_peer_kind",
        "match_peer_id",
        "match_guild_id",
        "match_team_id",
        "position",
        "other_keys",
    ]

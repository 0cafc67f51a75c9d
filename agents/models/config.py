"""Config tables for agents, auth profiles, providers and bindings (rows mirror
`epiloop.json`, see `config.rows`). Auth profile secrets live only here, encrypted."""

from __future__ import annotations

import base64
import hashlib
from typing import Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from config.models.base import ConfigRow, OrderedJSONField, Singleton

MODEL_HELP = 'A model ref, "provider/model".'
FALLBACKS_HELP = "JSON list of model refs; empty = inherit, [] = none."


def _str(**kw: Any) -> models.CharField[str | None, str | None]:
    return models.CharField(max_length=500, null=True, blank=True, **kw)


class AgentDefaults(Singleton):
    LABEL = "agents.defaults"
    JSON_FIELDS = {
        "model_primary": ("model.primary", "model"),
        "model_fallbacks": ("model.fallbacks", "json"),
        "max_concurrent": ("maxConcurrent", "value"),
        "timeout_seconds": ("timeoutSeconds", "value"),
        "workspace": ("workspace", "value"),
        "models": ("models", "json"),
    }
    model_primary = _str(help_text=MODEL_HELP)
    model_fallbacks = models.JSONField(null=True, blank=True, help_text=FALLBACKS_HELP)
    max_concurrent = models.PositiveIntegerField(null=True, blank=True, help_text="Default 4.")
    timeout_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Default 600.")
    workspace = _str(help_text="Default $EPILOOP_STATE_DIR/workspace.")
    models = OrderedJSONField(null=True, blank=True, help_text="Model catalogue and aliases.")

    class Meta:
        verbose_name = "agent defaults"
        verbose_name_plural = "agent defaults"

    def __str__(self) -> str:
        return "agents.defaults"


class Agent(ConfigRow):
    LABEL = "agents.list"
    JSON_FIELDS = {
        "agent_id": ("id", "id"),
        "is_default": ("default", "value"),
        "name": ("name", "value"),
        "model_primary": ("model.primary", "model"),
        "model_fallbacks": ("model.fallbacks", "json"),
        "identity_name": ("identity.name", "value"),
        "identity_emoji": ("identity.emoji", "value"),
        "workspace": ("workspace", "value"),
    }
    agent_id = models.CharField("id", max_length=200)
    is_default = models.BooleanField("default", null=True, blank=True)
    name = _str()
    model_primary = _str(help_text=MODEL_HELP)
    model_fallbacks = models.JSONField(null=True, blank=True, help_text=FALLBACKS_HELP)
    identity_name = _str()
    identity_emoji = models.CharField(max_length=50, null=True, blank=True)
    workspace = _str()

    class Meta(ConfigRow.Meta):
        verbose_name = "agent"

    def __str__(self) -> str:
        return self.agent_id


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"epiloop-auth-profile:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class AuthProfile(ConfigRow):
    """`auth.profiles["provider:label"]`. `secret` (an API key) is stored encrypted and
    never written to `epiloop.json`."""

    LABEL = "auth.profiles"
    JSON_FIELDS = {
        "provider": ("provider", "value"),
        "mode": ("mode", "value"),
        "email": ("email", "value"),
    }
    profile_id = models.CharField("profile id", max_length=300, unique=True)
    provider = _str()
    mode = _str(choices=[(m, m) for m in ("api_key", "token", "oauth")])
    email = _str()
    secret_encrypted = models.TextField(blank=True, editable=False)

    class Meta(ConfigRow.Meta):
        verbose_name = "auth profile"

    def __str__(self) -> str:
        return self.profile_id

    def set_secret(self, value: str | None) -> None:
        self.secret_encrypted = _fernet().encrypt(value.encode()).decode() if value else ""

    def get_secret(self) -> str | None:
        if not self.secret_encrypted:
            return None
        try:
            return _fernet().decrypt(self.secret_encrypted.encode()).decode()
        except InvalidToken:
            return None  # SECRET_KEY changed: the operator must enter the key again

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


def profile_secret(profile_id: str) -> str | None:
    """The decrypted API key stored for an auth profile, or None (use the env key)."""
    from config.secrets import register_secret

    profile = AuthProfile.objects.filter(profile_id=profile_id).first()
    secret = profile.get_secret() if profile else None
    register_secret(secret)
    return secret


class AuthOrder(models.Model):
    """`auth.order[provider]`: which profiles to try, in order."""

    provider = models.CharField(max_length=200, unique=True)
    profiles = models.JSONField(default=list, blank=True, help_text='["anthropic:default"]')
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        verbose_name = "auth order"
        verbose_name_plural = "auth order"

    def __str__(self) -> str:
        return self.provider


class Provider(ConfigRow):
    LABEL = "models.providers"
    JSON_FIELDS = {
        "base_url": ("baseUrl", "value"),
        "api_key": ("apiKey", "secret"),
        "api": ("api", "value"),
        "models": ("models", "json"),
    }
    name = models.CharField(max_length=200, unique=True)
    base_url = _str()
    api_key = _str(help_text="A ${VAR} reference, a SecretRef as JSON, or the key itself.")
    api = _str(help_text="openai-completions or anthropic-messages (others kept as written).")
    models = models.JSONField(null=True, blank=True)

    class Meta(ConfigRow.Meta):
        verbose_name = "model provider"

    def __str__(self) -> str:
        return self.name


class Binding(ConfigRow):
    LABEL = "bindings"
    JSON_FIELDS = {
        "agent_id": ("agentId", "id"),
        "match_channel": ("match.channel", "value"),
        "match_account_id": ("match.accountId", "id"),
        "match_peer_kind": ("match.peer.kind", "value"),
        "match_peer_id": ("match.peer.id", "id"),
        "match_guild_id": ("match.guildId", "id"),
        "match_team_id": ("match.teamId", "id"),
    }
    agent_id = models.CharField("agent id", max_length=200)
    match_channel = _str()
    match_account_id = _str()
    match_peer_kind = _str()
    match_peer_id = _str()
    match_guild_id = _str()
    match_team_id = _str()

    class Meta(ConfigRow.Meta):
        verbose_name = "binding"

    def __str__(self) -> str:
        where = self.match_channel or "any channel"
        return f"{where} -> {self.agent_id}"

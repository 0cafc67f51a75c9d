"""Config tables owned by the gateway app: file state, free-form sections, gateway/session/
messages settings. Rows mirror `epiloop.json` (see `gateway.config.rows`)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django import forms
from django.db import models

from gateway.config.rows import Spec


class PrettyJSONFormField(forms.JSONField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class OrderedJSONField(models.TextField):
    """JSON kept as text, so object key order survives on every database (jsonb sorts)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return PrettyJSONFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )


def coerce_for_field(field: Any, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BooleanField):
        return value if isinstance(value, bool) else None
    if isinstance(field, models.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return value if ok else None
    if isinstance(field, models.CharField | models.TextField):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        text = str(value)
        choices = [c[0] for c in field.choices or []]
        return text if not choices or text in choices else None
    return value


class ConfigRow(models.Model):
    """A row made from one JSON object of `epiloop.json`; `raw` is that object as written."""

    JSON_FIELDS: ClassVar[Spec] = {}
    LABEL: ClassVar[str] = ""

    raw = OrderedJSONField(default=dict, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def json_values(self) -> dict[str, Any]:
        return {attr: getattr(self, attr) for attr in self.JSON_FIELDS}

    @classmethod
    def coerce(cls, attr: str, value: Any) -> Any:
        """The value as this column can hold it, or None (the key then stays as written in
        `raw`, e.g. a `${VAR}` where a number goes)."""
        return coerce_for_field(cls._meta.get_field(attr), value)


class Singleton(ConfigRow):
    """A section that appears at most once (row pk 1 exists iff the file has the section)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)


def _str(**kw: Any) -> models.CharField[str | None, str | None]:
    return models.CharField(max_length=500, null=True, blank=True, **kw)


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

    def __str__(self) -> str:
        return self.path


class GatewaySettings(Singleton):
    LABEL = "gateway"
    JSON_FIELDS = {
        "mode": ("mode", "value"),
        "port": ("port", "value"),
        "bind": ("bind", "value"),
        "custom_bind_host": ("customBindHost", "value"),
        "auth_mode": ("auth.mode", "value"),
        "auth_token": ("auth.token", "secret"),
        "auth_password": ("auth.password", "secret"),
        "control_ui_enabled": ("controlUi.enabled", "value"),
        "control_ui_base_path": ("controlUi.basePath", "value"),
        "allowed_origins": ("controlUi.allowedOrigins", "json"),
        "trusted_proxies": ("trustedProxies", "json"),
        "reload_mode": ("reload.mode", "value"),
        "chat_completions_enabled": ("http.endpoints.chatCompletions.enabled", "value"),
    }
    mode = _str(choices=[("local", "local"), ("remote", "remote")])
    port = models.PositiveIntegerField(null=True, blank=True, help_text="Default 18789.")
    bind = _str(choices=[(b, b) for b in ("loopback", "lan", "tailnet", "custom", "auto")])
    custom_bind_host = _str()
    auth_mode = _str(choices=[("token", "token"), ("password", "password")])
    auth_token = _str(help_text="A value, a ${VAR} reference or a SecretRef as JSON.")
    auth_password = _str(help_text="A value, a ${VAR} reference or a SecretRef as JSON.")
    control_ui_enabled = models.BooleanField(null=True, blank=True)
    control_ui_base_path = _str()
    allowed_origins = models.JSONField(null=True, blank=True, help_text='["https://..."]')
    trusted_proxies = models.JSONField(null=True, blank=True)
    reload_mode = _str()
    chat_completions_enabled = models.BooleanField(
        null=True, blank=True, help_text="Serve /v1/chat/completions."
    )

    class Meta:
        verbose_name = "gateway settings"
        verbose_name_plural = "gateway settings"

    def __str__(self) -> str:
        return "gateway"


class SessionSettings(Singleton):
    LABEL = "session"
    JSON_FIELDS = {
        "dm_scope": ("dmScope", "value"),
        "reset_triggers": ("resetTriggers", "json"),
    }
    dm_scope = _str(
        choices=[
            (s, s) for s in ("main", "per-peer", "per-channel-peer", "per-account-channel-peer")
        ],
        help_text="Default per-channel-peer.",
    )
    reset_triggers = models.JSONField(null=True, blank=True, help_text='["/new", "/reset"]')

    class Meta:
        verbose_name = "session settings"
        verbose_name_plural = "session settings"

    def __str__(self) -> str:
        return "session"


class MessagesSettings(Singleton):
    LABEL = "messages"
    JSON_FIELDS = {
        "response_prefix": ("responsePrefix", "value"),
        "mention_patterns": ("groupChat.mentionPatterns", "json"),
        "history_limit": ("groupChat.historyLimit", "value"),
        "queue_cap": ("queue.cap", "value"),
    }
    response_prefix = _str()
    mention_patterns = models.JSONField(null=True, blank=True)
    history_limit = models.PositiveIntegerField(null=True, blank=True)
    queue_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Default 20.")

    class Meta:
        verbose_name = "messages settings"
        verbose_name_plural = "messages settings"

    def __str__(self) -> str:
        return "messages"

"""Config tables owned by the gateway app: gateway, session and messages settings. Rows
mirror `epiloop.json` (see `config.rows`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from config.models.base import Singleton


def _str(**kw: Any) -> models.CharField[str | None, str | None]:
    return models.CharField(max_length=500, null=True, blank=True, **kw)


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

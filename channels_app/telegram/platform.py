"""Telegram as the rest of Epiloop knows it (see `channels_app.registry.Platform`)."""

from __future__ import annotations

from channels_app.registry import Platform
from channels_app.telegram import doctor, options, policy, schema

PLATFORM = Platform(
    label="Telegram",
    adapter="channels_app.telegram.adapter:TelegramAdapter",
    register=schema.register,
    wanted=options.wanted,
    configured=options.configured,
    decide=policy.decide,
    token_problem=doctor.token_problem,
    dms_open=doctor.dms_open,
    open_dm_keys=doctor.open_dm_keys,
    reconnect=("enabled", "bot_token", "token_file", "api_root", "webhook_url", "webhook_secret"),
    ui_hints={
        "botToken": {"label": "Telegram bot token", "sensitive": True},
        "webhookSecret": {"label": "Webhook secret", "sensitive": True},
    },
    sender_prefixes=("telegram:", "tg:"),
)

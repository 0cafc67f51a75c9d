"""Discord as the rest of Epiloop knows it (see `channels_app.registry.Platform`)."""

from __future__ import annotations

from channels_app.discord import doctor, options, policy, schema
from channels_app.registry import Platform

PLATFORM = Platform(
    label="Discord",
    adapter="channels_app.discord.adapter:DiscordAdapter",
    register=schema.register,
    wanted=options.wanted,
    configured=options.configured,
    decide=policy.decide,
    token_problem=doctor.token_problem,
    dms_open=doctor.dms_open,
    open_dm_keys=doctor.open_dm_keys,
    reconnect=("enabled", "token", "api_base", "gateway_url"),
    ui_hints={
        "token": {"label": "Discord bot token", "sensitive": True},
        "groupPolicy": {"label": "Guild policy"},
    },
    sender_prefixes=("discord:", "<@!", "<@"),
)

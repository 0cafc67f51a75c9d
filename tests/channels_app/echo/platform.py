"""Echo as the rest of Epiloop knows it."""

from __future__ import annotations

from channels_app.registry import Platform
from config.jsontypes import JsonObject
from config.schema import EpiloopConfig
from tests.channels_app.echo import policy, schema


def token_problem(cfg: EpiloopConfig) -> str | None:
    echo = schema.section(cfg)
    return "channels.echo has no token" if echo and echo.enabled and not echo.token else None


def dms_open(cfg: EpiloopConfig) -> bool:
    echo = schema.section(cfg)
    return echo is not None and "*" in echo.allow_from


def open_dm_keys(raw: JsonObject) -> list[str]:
    return []  # echo has no `open` DM policy


PLATFORM = Platform(
    label="Echo",
    adapter="tests.channels_app.echo.adapter:EchoAdapter",
    register=schema.register,
    wanted=schema.wanted,
    configured=schema.configured,
    decide=policy.decide,
    token_problem=token_problem,
    dms_open=dms_open,
    open_dm_keys=open_dm_keys,
    reconnect=("enabled", "token"),
    sender_prefixes=("echo:",),
)

"""`channels.echo`: a token (to show "configured"), who may talk, and a small chunk limit."""

from __future__ import annotations

import builtins

from pydantic import Field

from config.schema import EpiloopConfig
from config.schema_base import ConfigModel, IdList
from config.schema_channels import register_channel


class EchoConfig(ConfigModel):
    enabled: bool = True
    token: str | None = None
    allow_from: IdList = Field(default_factory=builtins.list)
    text_chunk_limit: int = Field(default=40, ge=1, le=1000)


def section(cfg: EpiloopConfig) -> EchoConfig | None:
    value = cfg.channels.section("echo")
    return value if isinstance(value, EchoConfig) else None


def register() -> None:
    register_channel("echo", EchoConfig)


def wanted(cfg: EpiloopConfig) -> bool:
    echo = section(cfg)
    return echo is not None and echo.enabled and bool(echo.token)


def configured(cfg: EpiloopConfig) -> bool:
    echo = section(cfg)
    return echo is not None and bool(echo.token)

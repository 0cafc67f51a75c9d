"""Where the Discord adapter connects and with which token (config first, then env)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULT_CHUNK_LIMIT = 2000  # Discord's hard limit


@dataclass(frozen=True)
class DiscordOptions:
    token: str
    token_source: str  # "config" | "env" | ""
    api_base: str
    gateway_url: str
    chunk_limit: int


def section(config: Any) -> Any:
    channels = getattr(config, "channels", None)
    return getattr(channels, "discord", None)


def resolve_token(config: Any) -> tuple[str, str]:
    """(token, where it came from). `channels.discord.token` (already `${VAR}`-resolved)
    wins over `DISCORD_BOT_TOKEN`; a leading `Bot ` is stripped."""
    sec = section(config)
    raw = getattr(sec, "token", None)
    if isinstance(raw, str) and raw.strip():
        return strip_bot(raw), "config"
    env = settings.EPILOOP_ENV.get("discord_bot_token") or ""
    if env.strip():
        return strip_bot(env), "env"
    return "", ""


def strip_bot(token: str) -> str:
    token = token.strip()
    if token[:4].lower() == "bot ":
        token = token[4:].strip()
    return token


def resolve(config: Any) -> DiscordOptions:
    sec = section(config)
    token, source = resolve_token(config)
    api_base = (
        getattr(sec, "api_base", None) or settings.EPILOOP_ENV.get("discord_api_base") or ""
    ).rstrip("/")
    gateway_url = (
        getattr(sec, "gateway_url", None) or settings.EPILOOP_ENV.get("discord_gateway_url") or ""
    )
    limit = getattr(sec, "text_chunk_limit", None) or DEFAULT_CHUNK_LIMIT
    return DiscordOptions(
        token=token,
        token_source=source,
        api_base=api_base,
        gateway_url=gateway_url,
        chunk_limit=max(1, min(int(limit), DEFAULT_CHUNK_LIMIT)),
    )


def enabled(config: Any) -> bool:
    sec = section(config)
    return getattr(sec, "enabled", True) is not False


def wanted(config: Any) -> bool:
    """Enabled and a token is available (checked without importing discord.py)."""
    return enabled(config) and bool(resolve_token(config)[0])

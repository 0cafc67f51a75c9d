"""Where the Discord adapter connects and with which token (config first, then env)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from channels_app.discord.schema import section
from config.schema import EpiloopConfig

DEFAULT_CHUNK_LIMIT = 2000  # Discord's hard limit


@dataclass(frozen=True)
class DiscordOptions:
    token: str
    token_source: str  # "config" | "env" | ""
    api_base: str
    gateway_url: str
    chunk_limit: int


def resolve_token(config: EpiloopConfig) -> tuple[str, str]:
    """(token, where it came from). `channels.discord.token` (already `${VAR}`-resolved)
    wins over `DISCORD_BOT_TOKEN`; a leading `Bot ` is stripped."""
    sec = section(config)
    raw = sec.token if sec is not None else None
    if isinstance(raw, str) and raw.strip():
        return strip_bot(raw), "config"
    env = str(settings.EPILOOP_ENV.get("discord_bot_token") or "")
    if env.strip():
        return strip_bot(env), "env"
    return "", ""


def strip_bot(token: str) -> str:
    token = token.strip()
    if token[:4].lower() == "bot ":
        token = token[4:].strip()
    return token


def resolve(config: EpiloopConfig) -> DiscordOptions:
    sec = section(config)
    token, source = resolve_token(config)
    api_base = str(
        (sec.api_base if sec is not None else None)
        or settings.EPILOOP_ENV.get("discord_api_base")
        or ""
    ).rstrip("/")
    gateway_url = str(
        (sec.gateway_url if sec is not None else None)
        or settings.EPILOOP_ENV.get("discord_gateway_url")
        or ""
    )
    limit = (sec.text_chunk_limit if sec is not None else None) or DEFAULT_CHUNK_LIMIT
    return DiscordOptions(
        token=token,
        token_source=source,
        api_base=api_base,
        gateway_url=gateway_url,
        chunk_limit=max(1, min(int(limit), DEFAULT_CHUNK_LIMIT)),
    )


def enabled(config: EpiloopConfig) -> bool:
    sec = section(config)
    return sec is None or sec.enabled is not False


def wanted(config: EpiloopConfig) -> bool:
    """Enabled and a token is available (checked without importing discord.py)."""
    return enabled(config) and bool(resolve_token(config)[0])


def configured(config: EpiloopConfig) -> bool:
    """The section names a token (`channels.status`: configured in the file)."""
    sec = section(config)
    return sec is not None and bool(sec.token)

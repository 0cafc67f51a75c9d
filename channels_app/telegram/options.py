"""What the Telegram adapter needs from the config, resolved once per (re)start.

Precedence (DESIGN §4): the file wins, the environment fills what it leaves empty.
Token: `channels.telegram.botToken` (already `${VAR}`-resolved), the legacy `token` key,
`tokenFile`, then `TELEGRAM_BOT_TOKEN`. API root: `apiRoot`, `TELEGRAM_API_ROOT`, Telegram's.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from channels_app.telegram import schema
from channels_app.telegram.schema import TelegramConfig
from config.schema import EpiloopConfig
from config.schema_base import Secret

DEFAULT_API_ROOT = "https://api.telegram.org"
DEFAULT_CHUNK_LIMIT = 4000
MAX_MESSAGE_LENGTH = 4096
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as a webhook secret token.
_SECRET_OK = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class OptionsError(ValueError):
    """A Telegram setting that cannot work; the message names the key and the fix."""


@dataclass(frozen=True)
class TelegramOptions:
    token: str
    token_source: str  # "botToken" | "tokenFile" | "TELEGRAM_BOT_TOKEN" | ""
    api_root: str
    chunk_limit: int
    webhook_url: str = ""
    webhook_path: str = ""
    webhook_secret: str = ""

    @property
    def webhook(self) -> bool:
        return bool(self.webhook_url)


def section(config: EpiloopConfig) -> TelegramConfig:
    """`channels.telegram` of the config, or an all-defaults section when it is absent."""
    return schema.section(config) or TelegramConfig()


def _secret_text(value: Secret | None) -> str:
    """A config secret as text: strings as they are, `{source: env|file, id}` refs resolved."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    source, ref = value.source, value.id or ""
    if source == "env" and ref:
        return str(settings.EPILOOP_ENVIRON.get(ref, "")).strip()
    if source == "file" and ref:
        try:
            return Path(ref).expanduser().read_text().strip()
        except OSError:
            return ""
    return ""


def resolve_token(tg: TelegramConfig) -> tuple[str, str]:
    """(token, where it came from); ("", "") when there is none."""
    token = _secret_text(tg.bot_token)
    if token:
        return token, "botToken"
    legacy = (tg.model_extra or {}).get("token")
    if isinstance(legacy, str) and legacy.strip():
        return legacy.strip(), "token"
    token_file = tg.token_file
    if token_file:
        try:
            token = Path(token_file).expanduser().read_text().strip()
        except OSError as exc:
            raise OptionsError(
                f"channels.telegram.tokenFile: cannot read {token_file} ({exc.strerror}); "
                "fix the path or set channels.telegram.botToken"
            ) from exc
        if token:
            return token, "tokenFile"
    token = str(settings.EPILOOP_ENV.get("telegram_bot_token") or "").strip()
    return (token, "TELEGRAM_BOT_TOKEN") if token else ("", "")


def chunk_limit(config: EpiloopConfig) -> int:
    """`textChunkLimit` (default 4000), never above Telegram's 4096."""
    limit = int(section(config).text_chunk_limit or DEFAULT_CHUNK_LIMIT)
    return max(1, min(limit, MAX_MESSAGE_LENGTH))


def derived_secret(token: str) -> str:
    """A webhook secret when none is configured: stable for one bot token, never the token."""
    return hashlib.sha256(b"epiloop-telegram-webhook:" + token.encode()).hexdigest()


def resolve(config: EpiloopConfig) -> TelegramOptions:
    tg = section(config)
    token, source = resolve_token(tg)
    api_root = str(
        tg.api_root or settings.EPILOOP_ENV.get("telegram_api_root") or DEFAULT_API_ROOT
    ).rstrip("/")
    if api_root.endswith("/bot"):
        api_root = api_root[: -len("/bot")]
    limit = chunk_limit(config)
    webhook_url = (tg.webhook_url or "").strip()
    if not webhook_url:
        return TelegramOptions(token, source, api_root, limit)
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionsError(
            f"channels.telegram.webhookUrl: {webhook_url!r} is not an http(s) URL; "
            "use e.g. https://my-epiloop.fly.dev/telegram-webhook/<secret path>"
        )
    path = parts.path.rstrip("/") or "/telegram-webhook"
    secret = _secret_text(tg.webhook_secret) or derived_secret(token)
    if not _SECRET_OK.match(secret):
        raise OptionsError(
            "channels.telegram.webhookSecret: use 1-256 characters from A-Z, a-z, 0-9, _ and -"
        )
    return TelegramOptions(token, source, api_root, limit, webhook_url, path, secret)


def wanted(config: EpiloopConfig) -> bool:
    """Enabled and a token is available (checked without importing python-telegram-bot)."""
    tg = section(config)
    if tg.enabled is False:
        return False
    try:
        token, _ = resolve_token(tg)
    except OptionsError as exc:
        logging.getLogger("epiloop.telegram").warning("%s", exc)
        return False
    return bool(token)


def configured(config: EpiloopConfig) -> bool:
    """The section names a token (`channels.status`: configured in the file)."""
    tg = schema.section(config)
    return tg is not None and bool(tg.token or tg.bot_token or tg.token_file)

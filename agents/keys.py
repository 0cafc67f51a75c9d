"""Where each provider lives and which key it gets.

Key order: an auth profile's stored secret (`auth.order[provider]`, else the provider's
profiles in file order) -> the provider's environment variable -> `models.providers.<name>
.apiKey` (already `${VAR}`-resolved). Resolved endpoints are cached until the config
changes (or 30 s pass, so a secret set in the admin is picked up).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from agents.providers import Endpoint, ProviderError
from config.runtime import current, subscribe
from config.schema import EpiloopConfig
from config.schema_base import Secret, SecretRef
from config.secrets import register_secret

CACHE_SECONDS = 30.0
GOOGLE_OPENAI_BASE = "https://generativelanguage.googleapis.com/v1beta/openai/"
# Local servers (Ollama, LM Studio, vLLM) take any key; the SDK insists on one.
LOCAL_PLACEHOLDER_KEY = "epiloop-local-no-key"


@dataclass(frozen=True)
class Builtin:
    api: str
    env_key: str  # key of settings.EPILOOP_ENV
    env_names: str  # as the operator writes it
    base_env: str | None = None
    base_url: str | None = None


BUILTINS: dict[str, Builtin] = {
    "anthropic": Builtin(
        "anthropic-messages", "anthropic_api_key", "ANTHROPIC_API_KEY", "anthropic_base_url"
    ),
    "openai": Builtin("openai-completions", "openai_api_key", "OPENAI_API_KEY", "openai_base_url"),
    "google": Builtin(
        "openai-completions",
        "gemini_api_key",
        "GEMINI_API_KEY or GOOGLE_API_KEY",
        None,
        GOOGLE_OPENAI_BASE,
    ),
}

_lock = threading.Lock()
# provider -> (when, the config it was resolved for, endpoints)
_cache: dict[str, tuple[float, EpiloopConfig, tuple[Endpoint, ...]]] = {}


def _forget(_cfg: EpiloopConfig | None = None) -> None:
    with _lock:
        _cache.clear()


subscribe(_forget)


def forget() -> None:
    """Drop cached endpoints (after a key was set in the admin)."""
    _forget()


def _profile_ids(provider: str) -> list[str]:
    auth = current().auth
    ordered = auth.order.get(provider)
    if ordered:
        return [str(p) for p in ordered]
    return [
        pid
        for pid, profile in auth.profiles.items()
        if (profile.provider or pid.partition(":")[0]) == provider
    ]


def _profile_keys(provider: str) -> list[tuple[str, str]]:
    from agents.models.config import profile_secret

    found = []
    for profile_id in _profile_ids(provider):
        secret = profile_secret(profile_id)
        if secret:
            found.append((profile_id, secret))
    return found


def _env_var_name(provider: str) -> str:
    return provider.upper().replace("-", "_").replace(".", "_") + "_API_KEY"


def _env_key(provider: str) -> str:
    builtin = BUILTINS.get(provider)
    if builtin is not None:
        return str(settings.EPILOOP_ENV.get(builtin.env_key) or "")
    return str(settings.EPILOOP_ENVIRON.get(_env_var_name(provider)) or "")


def _config_key(value: Secret | None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, SecretRef) and value.source == "env" and value.id:  # names a variable
        return str(settings.EPILOOP_ENVIRON.get(value.id.lstrip("/")) or "")
    return ""


def _is_local(base_url: str | None) -> bool:
    host = urlsplit(base_url or "").hostname or ""
    if host in ("localhost", "host.docker.internal") or host.endswith(".local"):
        return True
    try:
        return ipaddress.ip_address(host).is_private or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def missing_key_message(provider: str) -> str:
    builtin = BUILTINS.get(provider)
    env = builtin.env_names if builtin else _env_var_name(provider)
    return (
        f"no API key for {provider}: add it to an auth profile in the admin "
        f'(Auth profiles, provider "{provider}"), set {env}, '
        f"or set models.providers.{provider}.apiKey in epiloop.json"
    )


def cached(provider: str) -> tuple[Endpoint, ...] | None:
    """The cached endpoints if still fresh (no DB access: safe on the event loop)."""
    with _lock:
        hit = _cache.get(provider)
    if hit is not None and hit[1] is current() and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[2]
    return None


def resolve(provider: str) -> Endpoint:
    """The endpoint for a provider name with its first key in order. Sync (reads auth
    profile secrets from the DB)."""
    return resolve_all(provider)[0]


def resolve_all(provider: str) -> tuple[Endpoint, ...]:
    """One endpoint per usable key, in key order; fallbacks rotate to the next key of the
    same model when one is failing or cooling down."""
    hit = cached(provider)
    if hit is not None:
        return hit
    endpoints = _resolve(provider)
    with _lock:
        _cache[provider] = (time.monotonic(), current(), endpoints)
    return endpoints


def _resolve(provider: str) -> tuple[Endpoint, ...]:
    configured = current().models.providers.get(provider)
    builtin = BUILTINS.get(provider)
    if configured is None and builtin is None:
        raise ProviderError(
            "unknown_provider",
            f"unknown provider {provider!r}: add models.providers.{provider} = "
            "{baseUrl, apiKey, api} to epiloop.json, or use anthropic/, openai/ or google/",
        )
    api = (configured.api if configured else None) or (builtin.api if builtin else "")
    api = api or "openai-completions"
    base = configured.base_url if configured else None
    if not base and builtin is not None:
        base = (settings.EPILOOP_ENV.get(builtin.base_env) if builtin.base_env else None) or (
            builtin.base_url
        )
    if base and api == "anthropic-messages":
        base = base.rstrip("/").removesuffix("/v1")  # the SDK adds /v1 itself
    found = _profile_keys(provider)
    env_name = builtin.env_names if builtin else _env_var_name(provider)
    found.append((env_name, _env_key(provider)))
    if configured is not None:
        found.append((f"models.providers.{provider}.apiKey", _config_key(configured.api_key)))
    keys: list[tuple[str, str]] = []
    for label, key in found:
        if key and key not in (k for _, k in keys):
            keys.append((label, key))
    if not keys and builtin is None and _is_local(base):
        keys.append(("local server", LOCAL_PLACEHOLDER_KEY))
    if not keys:
        raise ProviderError("missing_key", missing_key_message(provider))
    for _, key in keys:
        register_secret(key)
    return tuple(Endpoint(provider, api, base or None, key, label) for label, key in keys)

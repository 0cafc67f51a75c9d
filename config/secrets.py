"""Secrets registered here never reach a log line: every handler's formatter passes its text
through `redact()`. Each app registers the tokens and keys it reads (channel tokens, API
keys, the gateway token) as soon as it has them."""

from __future__ import annotations

import re

_SECRETS: set[str] = set()


_NOT_SECRET = re.compile(r"^(\$\{[^}]*\}|[A-Z][A-Z0-9_]*)$")


def register_secret(value: str | None) -> None:
    """Never let `value` reach a log line (tokens, API keys). Short values, `${VAR}`
    references and bare variable names (`"ANTHROPIC_API_KEY"` used as a marker) are not
    secrets and are ignored."""
    if value and len(value) >= 6 and not _NOT_SECRET.match(value):
        _SECRETS.add(value)


def forget_secrets() -> None:
    """For tests: drop every registered secret."""
    _SECRETS.clear()


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def has_secrets() -> bool:
    return bool(_SECRETS)

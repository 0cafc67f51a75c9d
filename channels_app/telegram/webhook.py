"""Webhook mode: Telegram POSTs updates to the gateway's own port at the path of
`webhookUrl` (Fly exposes one port). Every request must carry the configured secret in
`X-Telegram-Bot-Api-Secret-Token`; a mismatch gets 403 and nothing is processed.

The running adapter registers its path with `channels_app.webhooks`, which serves it (on the
gateway's port, or alone under `runchannel`). This module does not import `telegram`.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from channels_app import webhooks
from config.jsontypes import JsonObject

log = logging.getLogger("epiloop.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram updates are a few KiB
REFUSAL_LOG_EVERY = 60.0  # seconds between "wrong secret" log lines (scanners knock a lot)
_SECRET_KEY = SECRET_HEADER.lower()


@dataclass
class Hook:
    secret: str
    deliver: Callable[[JsonObject], None]  # thread-safe; must not block
    refused: int = 0
    accepted: int = 0
    last_refusal_log: float = field(default=0.0)
    route: webhooks.Route | None = None


def register(path: str, secret: str, deliver: Callable[[JsonObject], None]) -> Hook:
    hook = Hook(secret=secret, deliver=deliver)
    hook.route = webhooks.Route(partial(answer, hook), MAX_BODY)
    webhooks.register(path, hook.route)
    return hook


def unregister(path: str, hook: Hook) -> None:
    webhooks.unregister(path, hook.route)


def answer(hook: Hook, method: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
    """(status, JSON body) for one webhook request; delivers the update when it is valid."""
    if method != "POST":
        return 405, b'{"ok": false, "error": "POST only"}'
    secret = headers.get(_SECRET_KEY, "")
    if not hmac.compare_digest(secret.encode(), hook.secret.encode()):
        hook.refused += 1
        now = time.monotonic()
        if now - hook.last_refusal_log >= REFUSAL_LOG_EVERY:
            hook.last_refusal_log = now
            log.warning(
                "webhook request refused (403): wrong or missing %s (%d refused so far)",
                SECRET_HEADER,
                hook.refused,
            )
        return 403, b'{"ok": false, "error": "forbidden"}'
    try:
        data = json.loads(body)
    except ValueError:
        return 400, b'{"ok": false, "error": "body is not JSON"}'
    if not isinstance(data, dict) or "update_id" not in data:
        return 400, b'{"ok": false, "error": "not a Telegram update"}'
    hook.accepted += 1
    hook.deliver(data)
    return 200, b'{"ok": true}'

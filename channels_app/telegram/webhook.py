"""Webhook mode: Telegram POSTs updates to the gateway's own port at the path of
`webhookUrl` (Fly exposes one port). Every request must carry the configured secret in
`X-Telegram-Bot-Api-Secret-Token`; a mismatch gets 403 and nothing is processed.

The running adapter registers its path here; the URL pattern uses a converter that only
matches registered paths, so every other URL falls through to the gateway's own routes.
This module does not import `telegram` (it is loaded with the URLconf).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger("epiloop.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REFUSAL_LOG_EVERY = 60.0  # seconds between "wrong secret" log lines (scanners knock a lot)


@dataclass
class Hook:
    secret: str
    deliver: Callable[[dict[str, Any]], None]  # thread-safe; must not block
    refused: int = 0
    accepted: int = 0
    last_refusal_log: float = field(default=0.0)


_HOOKS: dict[str, Hook] = {}
_lock = threading.Lock()


def normalise(path: str) -> str:
    return "/" + path.strip("/")


def register(path: str, secret: str, deliver: Callable[[dict[str, Any]], None]) -> Hook:
    hook = Hook(secret=secret, deliver=deliver)
    with _lock:
        _HOOKS[normalise(path)] = hook
    return hook


def unregister(path: str, hook: Hook | None = None) -> None:
    with _lock:
        key = normalise(path)
        if hook is None or _HOOKS.get(key) is hook:
            _HOOKS.pop(key, None)


def lookup(path: str) -> Hook | None:
    return _HOOKS.get(normalise(path))


class HookPathConverter:
    """Matches only paths a running Telegram adapter has registered."""

    regex = r".+"

    def to_python(self, value: str) -> str:
        if lookup(value) is None:
            raise ValueError("not a registered Telegram webhook path")
        return value

    def to_url(self, value: str) -> str:
        return value.strip("/")


@csrf_exempt
async def telegram_webhook(request: HttpRequest, hook_path: str) -> HttpResponse:
    hook = lookup(hook_path)
    if hook is None:  # unregistered between URL resolution and now
        return JsonResponse({"ok": False, "error": "not found"}, status=404)
    if request.method != "POST":
        return JsonResponse({"ok": False, "error": "POST only"}, status=405)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), hook.secret.encode()):
        hook.refused += 1
        now = time.monotonic()
        if now - hook.last_refusal_log >= REFUSAL_LOG_EVERY:
            hook.last_refusal_log = now
            log.warning(
                "webhook request refused (403): wrong or missing %s (%d refused so far)",
                SECRET_HEADER,
                hook.refused,
            )
        refusal = JsonResponse({"ok": False, "error": "forbidden"}, status=403)
        refusal._has_been_logged = True  # type: ignore[attr-defined]  # logged above, rate-limited
        return refusal
    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"ok": False, "error": "body is not JSON"}, status=400)
    if not isinstance(data, dict) or "update_id" not in data:
        return JsonResponse({"ok": False, "error": "not a Telegram update"}, status=400)
    hook.accepted += 1
    hook.deliver(data)
    return JsonResponse({"ok": True})

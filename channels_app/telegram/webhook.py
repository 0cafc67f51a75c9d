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

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger("epiloop.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram updates are a few KiB
REFUSAL_LOG_EVERY = 60.0  # seconds between "wrong secret" log lines (scanners knock a lot)


@dataclass
class Hook:
    secret: str
    deliver: Callable[[dict[str, Any]], None]  # thread-safe; must not block
    refused: int = 0
    accepted: int = 0
    last_refusal_log: float = field(default=0.0)


_HOOKS: dict[str, Hook] = {}
# True once the gateway's ASGI app (with `fast_path`) exists in this process: the webhook is
# then served on the gateway's port. Otherwise (runchannel) `standalone.py` serves it.
GATEWAY_HTTP = False
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


def answer(hook: Hook | None, method: str, secret: str, body: bytes) -> tuple[int, bytes]:
    """(status, JSON body) for one webhook request; delivers the update when it is valid."""
    if hook is None:
        return 404, b'{"ok": false, "error": "not found"}'
    if method != "POST":
        return 405, b'{"ok": false, "error": "POST only"}'
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


@csrf_exempt
async def telegram_webhook(request: HttpRequest, hook_path: str) -> HttpResponse:
    """The Django route (used when the ASGI fast path below is not installed)."""
    secret = request.headers.get(SECRET_HEADER, "")
    status, body = answer(lookup(hook_path), request.method or "", secret, request.body)
    response = HttpResponse(body, status=status, content_type="application/json")
    if status == 403:
        response._has_been_logged = True  # type: ignore[attr-defined]  # logged, rate-limited
    return response


_HEADER_KEY = SECRET_HEADER.lower().encode()


def fast_path(inner: Any) -> Any:
    """Wrap the HTTP ASGI app so registered webhook paths are answered before Django.

    Telegram may push hundreds of updates a second; Django's request cycle (middleware,
    signals, a thread per request) costs several ms each and none of it applies here.
    Every other request goes to `inner` untouched.
    """
    global GATEWAY_HTTP
    GATEWAY_HTTP = True

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        hook = lookup(scope.get("path", "")) if _HOOKS and scope["type"] == "http" else None
        if hook is None:
            await inner(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await _respond(send, 413, b'{"ok": false, "error": "too large"}')
                return
            if not message.get("more_body"):
                break
        secret = b""
        for key, value in scope.get("headers", ()):
            if key == _HEADER_KEY:
                secret = value
        status, payload = answer(hook, scope["method"], secret.decode("latin-1"), body)
        await _respond(send, status, payload)

    return app


async def _respond(send: Any, status: int, payload: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

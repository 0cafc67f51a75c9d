"""Webhook routes of the running chat adapters (DESIGN §9), answered before Django.

A platform in webhook mode registers the path of its webhook URL with a `Route`: an `answer`
function (method, lower-cased headers, body -> status and JSON body) that checks the
platform's own secret and hands the update over. Every other path falls through.

Who answers: inside `rungateway`, the gateway's own port (`fast_path`, installed by the ASGI
app; the Django route in `channels_app/urls.py` when the fast path is not there). A channel
run alone (`runchannel`) has no gateway: `runchannel` says where to listen (`listen_alone`)
and the adapter opens a small server there (`serve_alone`, see `webhook_server`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

Answer = Callable[[str, Mapping[str, str], bytes], tuple[int, bytes]]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1024 * 1024
NOT_FOUND = (404, b'{"ok": false, "error": "not found"}')
TOO_LARGE = (413, b'{"ok": false, "error": "too large"}')


@dataclass(frozen=True)
class Route:
    answer: Answer  # must not block: hand the update to the adapter's loop and return
    max_body: int = MAX_BODY


@dataclass(frozen=True)
class Address:
    """Where a channel run alone listens; `problem` says why it cannot (a bad bind)."""

    host: str
    port: int
    problem: str = ""


_ROUTES: dict[str, Route] = {}
_lock = threading.Lock()
# True once the gateway's ASGI app (with `fast_path`) exists in this process.
GATEWAY_HTTP = False
# Set by `runchannel` (which knows the gateway's bind rules): where to listen without one.
ALONE: Address | None = None


def normalise(path: str) -> str:
    return "/" + path.strip("/")


def register(path: str, route: Route) -> None:
    with _lock:
        _ROUTES[normalise(path)] = route


def unregister(path: str, route: Route | None = None) -> None:
    """Forget `path` (only if it still belongs to `route`, when given)."""
    with _lock:
        key = normalise(path)
        if route is None or _ROUTES.get(key) is route:
            _ROUTES.pop(key, None)


def lookup(path: str) -> Route | None:
    return _ROUTES.get(normalise(path))


def answer(path: str, method: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
    route = lookup(path)
    if route is None:
        return NOT_FOUND
    return route.answer(method, headers, body)


def listen_alone(address: Address) -> None:
    global ALONE
    ALONE = address


class PathConverter:
    """Matches only paths a running adapter has registered."""

    regex = r".+"

    def to_python(self, value: str) -> str:
        if lookup(value) is None:
            raise ValueError("not a registered webhook path")
        return value

    def to_url(self, value: str) -> str:
        return value.strip("/")


@csrf_exempt
async def django_view(request: HttpRequest, hook_path: str) -> HttpResponse:
    """The Django route (used when the ASGI fast path below is not installed)."""
    headers = {key.lower(): value for key, value in request.headers.items()}
    status, body = answer(hook_path, request.method or "", headers, request.body)
    response = HttpResponse(body, status=status, content_type="application/json")
    if status == 403:
        # The route logs refusals itself, rate-limited (scanners knock a lot).
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def fast_path(inner: ASGIApp) -> ASGIApp:
    """Wrap the HTTP ASGI app so registered webhook paths are answered before Django.

    A platform may push hundreds of updates a second; Django's request cycle (middleware,
    signals, a thread per request) costs several ms each and none of it applies here.
    Every other request goes to `inner` untouched.
    """
    global GATEWAY_HTTP
    GATEWAY_HTTP = True

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        route = lookup(scope.get("path", "")) if _ROUTES and scope["type"] == "http" else None
        if route is None:
            await inner(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > route.max_body:
                await _respond(send, *TOO_LARGE)
                return
            if not message.get("more_body"):
                break
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", ())
        }
        await _respond(send, *route.answer(scope["method"], headers, body))

    return app


async def _respond(send: Send, status: int, payload: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def serve_alone(log: logging.Logger) -> asyncio.Server | None:
    """Without a gateway in this process, serve the webhook routes on the address
    `runchannel` gave; None (and one error line) when that cannot be done."""
    from channels_app.webhook_server import handle

    where = ALONE
    if where is None or where.problem:
        why = where.problem if where else "no address to listen on (run it with runchannel)"
        log.error("cannot serve the webhook: %s", why)
        return None
    try:
        server = await asyncio.start_server(handle, where.host, where.port)
    except OSError as exc:
        log.error("cannot serve the webhook on %s:%s (%s)", where.host, where.port, exc.strerror)
        return None
    log.info(
        "serving the webhook on http://%s:%s (no gateway in this process)", where.host, where.port
    )
    return server

"""Webhook mode without the gateway (`manage.py runchannel telegram`, DESIGN §10): a small
HTTP/1.1 server on the gateway's address and port that answers only the webhook path.

Inside `rungateway` the webhook is served on the gateway's own port (`webhook.fast_path`);
this exists so that webhook-mode channel workers can run as separate processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels_app.telegram import webhook

log = logging.getLogger("epiloop.telegram")

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed"}
_REASONS[413] = "Payload Too Large"


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line.strip():
                return
            method, _, rest = request_line.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            headers: dict[str, str] = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                key, _, value = line.decode("latin-1").partition(":")
                headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length > webhook.MAX_BODY:
                status, payload = 413, b'{"ok": false, "error": "too large"}'
                body = b""
            else:
                body = await reader.readexactly(length) if length else b""
                secret = headers.get(webhook.SECRET_HEADER.lower(), "")
                status, payload = webhook.answer(webhook.lookup(path), method, secret, body)
            keep = headers.get("connection", "").lower() != "close" and status != 413
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: %s\r\n\r\n%s"
                % (
                    status,
                    _REASONS.get(status, "Error").encode(),
                    len(payload),
                    b"keep-alive" if keep else b"close",
                    payload,
                )
            )
            await writer.drain()
            if not keep:
                return
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        return
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def serve(config: Any) -> asyncio.Server | None:
    """Listen where the gateway would (`--bind`/`--port` rules of DESIGN §3)."""
    from gateway.bind import BindError, resolve_bind, resolve_port

    gw = getattr(config, "gateway", None)
    try:
        bind = resolve_bind(None, getattr(gw, "bind", None), getattr(gw, "custom_bind_host", None))
    except BindError as exc:
        log.error("cannot serve the webhook: %s", exc)
        return None
    port = resolve_port(None, getattr(gw, "port", None))
    try:
        server = await asyncio.start_server(_handle, bind.host, port)
    except OSError as exc:
        log.error("cannot serve the webhook on %s:%s (%s)", bind.host, port, exc.strerror)
        return None
    log.info("serving the webhook on http://%s:%s (no gateway in this process)", bind.host, port)
    return server

"""A small HTTP/1.1 server that answers only the registered webhook paths (`webhooks`), for
a channel run alone (`manage.py runchannel telegram`, DESIGN §10): webhook-mode channel
workers can then run as separate processes. Inside `rungateway` the gateway's own port
answers them (`webhooks.fast_path`)."""

from __future__ import annotations

import asyncio
import contextlib

from channels_app import webhooks

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed"}
_REASONS[413] = "Payload Too Large"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One connection: requests one after another while the client keeps it alive."""
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
            route = webhooks.lookup(path)
            if length > (route.max_body if route else webhooks.MAX_BODY):
                status, payload = webhooks.TOO_LARGE
            else:
                body = await reader.readexactly(length) if length else b""
                status, payload = webhooks.answer(path, method, headers, body)
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

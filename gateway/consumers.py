"""The WebSocket end of gateway protocol v3: a thin shell over `gateway.protocol`."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from typing import Any

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from gateway import events
from gateway.protocol import frames, handshake, hello, presence, ticker, transport
from gateway.protocol.frames import INVALID_REQUEST, UNAVAILABLE, ProtocolError
from gateway.protocol.outbox import Outbox
from gateway.protocol.registry import Call, methods

log = logging.getLogger("epiloop.ws")


class GatewayConsumer(AsyncWebsocketConsumer):
    conn_id = ""
    client: dict[str, Any]
    authed = False
    closing = False

    async def connect(self) -> None:
        self.conn_id = uuid.uuid4().hex
        self.client = {}
        self.address = handshake.client_address(self.scope)
        self.nonce = secrets.token_urlsafe(16)
        self.proto = transport.daphne_protocol(self.base_send)
        self.outbox = Outbox(self._send_text, self._backlog, self._slow_consumer)
        events.bind_loop(asyncio.get_running_loop())
        await self.accept()
        from config.runtime import current

        allowed = list(current().gateway.control_ui.allowed_origins)
        if not handshake.origin_allowed(self.scope, allowed):
            log.info("refused WebSocket from origin %s", handshake.header(self.scope, b"origin"))
            await self.close_with(frames.CLOSE_POLICY, "origin not allowed")
            return
        challenge = {"nonce": self.nonce, "ts": presence.now_ms()}
        await self._send_text(frames.event("connect.challenge", challenge))
        self._timer = asyncio.get_running_loop().call_later(
            handshake.HANDSHAKE_TIMEOUT_S, self._handshake_timeout
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every message, a thread hop per
        # frame (most of a `health` round trip). Our DB work runs in sync helpers that do
        # it themselves (gateway.protocol.sessionsinfo.fresh_db).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        # As Channels does, minus its DB-connection hop (see dispatch).
        await self.disconnect(message.get("code", 1000))
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.cancel()
        if hasattr(self, "outbox"):
            self.outbox.close()
        if self.authed:
            self.authed = False
            await self.channel_layer.group_discard(events.GROUP, self.channel_name)
            if presence.remove(self.conn_id):
                presence.changed()
            ticker.release()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        if text_data is None:
            text_data = (bytes_data or b"").decode("utf-8", "replace")
        size = frames.frame_too_big(text_data)
        if size:
            await self._refuse(
                None,
                ProtocolError(
                    INVALID_REQUEST,
                    f"frame too large: {size} bytes (limit {frames.MAX_PAYLOAD})",
                ),
                frames.CLOSE_TOO_BIG,
                "frame too large",
            )
            return
        if not self.authed:
            await self._handshake(text_data)
            return
        try:
            req_id, method, params = frames.parse_request(text_data)
        except ProtocolError as exc:
            await self.outbox.push(frames.res_error(None, exc))
            return
        handler = methods().get(method)
        if handler is None:
            error = ProtocolError(INVALID_REQUEST, f"unknown method: {method}")
            await self.outbox.push(frames.res_error(req_id, error))
            return
        try:
            payload = await handler(Call(self, req_id, method, params))
        except ProtocolError as exc:
            await self.outbox.push(frames.res_error(req_id, exc))
            return
        except Exception as exc:
            log.exception("method %s failed", method)
            error = ProtocolError(UNAVAILABLE, f"{method} failed: {exc}")
            await self.outbox.push(frames.res_error(req_id, error))
            return
        await self.outbox.push(frames.res_ok(req_id, payload))

    async def _handshake(self, text: str) -> None:
        req_id: Any = None
        try:
            req_id, method, params = frames.parse_request(text)
            if method != "connect":
                raise handshake.HandshakeError(
                    INVALID_REQUEST,
                    f"first request must be connect (got {method})",
                    frames.CLOSE_POLICY,
                    "handshake required",
                )
            self.client = handshake.validate_connect(params)
            handshake.authenticate(params, self.address)
        except handshake.HandshakeError as exc:
            await self._refuse(req_id, exc, exc.close_code, exc.close_reason)
            return
        except ProtocolError as exc:
            await self._refuse(req_id, exc, frames.CLOSE_POLICY, "invalid handshake")
            return
        self._timer.cancel()
        self.authed = True
        await self.channel_layer.group_add(events.GROUP, self.channel_name)
        presence.add(self.conn_id, self.client, self.address)
        ticker.acquire()
        await self._send_text(frames.res_ok(req_id, await hello.hello_ok(self.conn_id)))
        presence.changed()

    async def _refuse(self, req_id: Any, error: ProtocolError, code: int, reason: str) -> None:
        await self._send_text(frames.res_error(req_id, error))
        await self.close_with(code, reason)

    def _handshake_timeout(self) -> None:
        if not self.authed and not self.closing:
            self._closer = asyncio.ensure_future(
                self.close_with(frames.CLOSE_POLICY, "handshake timeout")
            )

    async def close_with(self, code: int, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        self.outbox.close()
        if not transport.close_with_reason(self.proto, code, reason):
            await self.close(code=code, reason=reason)

    # Channel-layer events (group GROUP) -> this client, through the bounded outbox.
    async def gateway_event(self, message: dict[str, Any]) -> None:
        if self.authed and not self.closing:
            await self.outbox.push(message["text"], droppable=bool(message.get("drop")))

    # Frames for this connection only (chat runs started here answer through it).
    async def send_res(self, req_id: Any, payload: Any) -> None:
        if not self.closing:
            await self.outbox.push(frames.res_ok(req_id, payload))

    async def send_error(self, req_id: Any, code: str, message: str) -> None:
        if not self.closing:
            await self.outbox.push(frames.res_error(req_id, ProtocolError(code, message)))

    async def _send_text(self, text: str) -> None:
        try:
            await self.send(text_data=text)
        except Disconnected:
            # The client went away while an event was on its way. Daphne delivers
            # `websocket.disconnect` next; raising here would kill this consumer before
            # `disconnect()` could remove it from presence.
            self.closing = True

    def _backlog(self) -> int:
        return transport.backlog_bytes(self.proto)

    async def _slow_consumer(self) -> None:
        log.warning("closing slow WebSocket client %s (%s)", self.conn_id[:8], self.address)
        await self.close_with(frames.CLOSE_POLICY, "slow consumer")

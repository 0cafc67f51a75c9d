"""In-process protocol connections (channels' WebsocketCommunicator) for fast tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from gateway.auth import GATEWAY_SECRETS
from gateway.consumers import GatewayConsumer
from gateway.protocol import handshake
from tests.gateway.protocol.client import connect_params


class Conn:
    def __init__(self, comm: WebsocketCommunicator) -> None:
        self.comm = comm
        self.hello: dict[str, Any] = {}
        self.n = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(
        cls,
        token: str | None = "test-token-abc-123456",
        headers: list[Any] | None = None,
        client: tuple[str, int] = ("10.0.0.7", 5555),
        **params: Any,
    ) -> tuple[Conn, dict[str, Any]]:
        comm = WebsocketCommunicator(GatewayConsumer.as_asgi(), "/", headers=headers or [])
        comm.scope["client"] = client
        connected, _ = await comm.connect()
        assert connected
        conn = cls(comm)
        challenge = await conn.recv()
        assert challenge["event"] == "connect.challenge"
        await comm.send_to(
            text_data=json.dumps(
                {
                    "type": "req",
                    "id": "c",
                    "method": "connect",
                    "params": connect_params(token, **params),
                }
            )
        )
        res = await conn.recv()
        if res.get("ok"):
            conn.hello = res["payload"]
        return conn, res

    async def recv(self, timeout: float = 3) -> dict[str, Any]:
        output = await self.comm.receive_output(timeout)
        if output["type"] == "websocket.close":
            return {**output, "type": "close"}
        return dict(json.loads(output["text"]))

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.n += 1
        req_id = f"q{self.n}"
        await self.comm.send_to(
            text_data=json.dumps(
                {"type": "req", "id": req_id, "method": method, "params": params or {}}
            )
        )
        while True:
            frame = await self.recv()
            if frame["type"] == "event":
                self.events.append(frame)
            elif frame.get("id") == req_id:
                return frame

    async def next_event(self, name: str, timeout: float = 3) -> dict[str, Any]:
        for i, frame in enumerate(self.events):
            if frame["event"] == name:
                return self.events.pop(i)
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == "event" and frame["event"] == name:
                return frame
            if frame["type"] == "event":
                self.events.append(frame)
            elif frame["type"] == "res":
                self.events.append({"event": "__res__", **frame})

    async def close(self) -> None:
        await self.comm.disconnect()


@contextlib.asynccontextmanager
async def operator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Conn]:
    """An in-process protocol connection signed in with the test gateway token."""
    monkeypatch.setitem(GATEWAY_SECRETS, "token", "test-token-abc-123456")
    handshake.reset_failures()
    c, res = await Conn.open()
    assert res["ok"]
    try:
        yield c
    finally:
        await c.close()

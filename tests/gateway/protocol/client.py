"""A small protocol-v3 client over the `websockets` package, for tests and bench."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

TOKEN = "test-token-abc-123456"


def connect_params(token: str | None = TOKEN, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "minProtocol": 3,
        "maxProtocol": 3,
        "client": {"id": "cli", "version": "1.0.0", "platform": "linux", "mode": "cli"},
        "role": "operator",
        "scopes": ["operator.read", "operator.write"],
    }
    if token is not None:
        params["auth"] = {"token": token}
    params.update(overrides)
    return params


class Client:
    """One connection: `hello` after the handshake, `call()` for requests, `event()` for events."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.hello: dict[str, Any] = {}

    @classmethod
    async def open(cls, url: str, token: str | None = TOKEN, **kw: Any) -> Client:
        ws = await websockets.connect(url, max_size=None, **kw)
        client = cls(ws)
        challenge = await client.recv()
        assert challenge["event"] == "connect.challenge", challenge
        await client.send(
            {"type": "req", "id": "c", "method": "connect", "params": connect_params(token)}
        )
        res = await client.recv()
        assert res["ok"], res
        client.hello = res["payload"]
        return client

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.ws.recv(), timeout)))

    async def request(self, method: str, params: dict[str, Any] | None = None) -> str:
        req_id = f"r{next(self.ids)}"
        await self.send({"type": "req", "id": req_id, "method": method, "params": params or {}})
        return req_id

    async def response(self, req_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no answer to request {req_id} within {timeout} s")
            frame = await self.recv(left)
            if frame["type"] == "event":
                self.events.append(frame)
            elif frame.get("id") == req_id:
                return frame

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.response(await self.request(method, params))

    async def ok(self, method: str, params: dict[str, Any] | None = None) -> Any:
        res = await self.call(method, params)
        assert res["ok"], res
        return res["payload"]

    async def event(self, name: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        for i, frame in enumerate(self.events):
            if frame["event"] == name and all(
                frame["payload"].get(k) == v for k, v in match.items()
            ):
                return self.events.pop(i)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no {name} event matching {match} within {timeout} s")
            frame = await self.recv(left)
            if frame["type"] != "event":
                continue
            if frame["event"] == name and all(
                frame["payload"].get(k) == v for k, v in match.items()
            ):
                return frame
            self.events.append(frame)

    async def close(self) -> None:
        await self.ws.close()

"""Handshake conformance against a real rungateway process and a real WebSocket client."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.gateway.protocol.client import TOKEN, Client, connect_params
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e


async def refused(gw: GatewayProcess, first: str, **kw: Any) -> tuple[dict[str, Any], int, str]:
    """Send `first` as the first frame; return (error response, close code, close reason)."""
    async with websockets.connect(gw.ws_url, **kw) as ws:
        challenge = json.loads(await ws.recv())
        assert challenge["event"] == "connect.challenge"
        await ws.send(first)
        res = json.loads(await ws.recv())
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    return res, closed.value.rcvd.code, closed.value.rcvd.reason


def req(method: str, params: dict[str, Any]) -> str:
    return json.dumps({"type": "req", "id": "1", "method": method, "params": params})


async def test_the_server_speaks_first_with_a_challenge(gateway: GatewayProcess) -> None:
    async with websockets.connect(gateway.ws_url) as ws:
        frame = json.loads(await ws.recv())
    assert frame["type"] == "event"
    assert frame["event"] == "connect.challenge"
    assert len(frame["payload"]["nonce"]) >= 16
    assert isinstance(frame["payload"]["ts"], int)


async def test_connect_with_the_token_answers_hello_ok(gateway: GatewayProcess) -> None:
    client = await Client.open(gateway.ws_url)
    hello = client.hello
    await client.close()
    assert hello["type"] == "hello-ok"
    assert hello["protocol"] == 3
    assert hello["server"]["version"] and hello["server"]["connId"]
    assert {"health", "status", "chat.send", "agent", "config.get", "logs.tail"} <= set(
        hello["features"]["methods"]
    )
    assert {"chat", "tick", "presence", "shutdown"} <= set(hello["features"]["events"])
    snapshot = hello["snapshot"]
    assert snapshot["health"]["ok"] is True
    assert snapshot["uptimeMs"] >= 0
    assert snapshot["configPath"].endswith("epiloop.json")
    assert snapshot["stateDir"]
    assert snapshot["sessionDefaults"]["mainSessionKey"] == "agent:main:main"
    assert hello["policy"] == {
        "maxPayload": 512 * 1024,
        "maxBufferedBytes": hello["policy"]["maxBufferedBytes"],
        "tickIntervalMs": 200,
    }


async def test_a_device_block_is_accepted_and_ignored(gateway: GatewayProcess) -> None:
    device = {"id": "dev1", "publicKey": "abc", "signature": "sig", "signedAt": 1, "nonce": "n"}
    async with websockets.connect(gateway.ws_url) as ws:
        await ws.recv()
        await ws.send(req("connect", connect_params(device=device)))
        res = json.loads(await ws.recv())
    assert res["ok"] is True
    assert "auth" not in res["payload"]  # no device token is issued


async def test_a_frame_that_is_not_json_is_refused_and_closed(gateway: GatewayProcess) -> None:
    res, code, _ = await refused(gateway, "hello there")
    assert res["ok"] is False
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert "not JSON" in res["error"]["message"]
    assert code == 1008


async def test_a_first_frame_other_than_connect_is_refused(gateway: GatewayProcess) -> None:
    res, code, reason = await refused(gateway, req("health", {}))
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"] == "first request must be connect (got health)"
    assert (code, reason) == (1008, "handshake required")


async def test_connect_without_protocol_range_is_refused(gateway: GatewayProcess) -> None:
    res, code, _ = await refused(gateway, req("connect", {"client": {"id": "cli"}}))
    assert res["error"]["message"] == "invalid connect params: missing minProtocol, maxProtocol"
    assert code == 1008


async def test_a_protocol_range_without_3_closes_with_1002(gateway: GatewayProcess) -> None:
    params = connect_params(minProtocol=4, maxProtocol=5)
    res, code, reason = await refused(gateway, req("connect", params))
    assert res["error"]["code"] == "INVALID_REQUEST"
    assert res["error"]["message"] == "protocol mismatch"
    assert res["error"]["details"]["expectedProtocol"] == 3
    assert (code, reason) == (1002, "protocol mismatch")


async def test_a_wrong_token_closes_with_1008_unauthorized(gateway: GatewayProcess) -> None:
    res, code, reason = await refused(gateway, req("connect", connect_params("wrong-token-xyz")))
    assert res["error"]["message"].startswith("unauthorized: gateway token wrong")
    assert (code, reason) == (1008, "unauthorized")


async def test_a_missing_token_closes_with_1008_unauthorized(gateway: GatewayProcess) -> None:
    res, code, _ = await refused(gateway, req("connect", connect_params(None)))
    assert res["error"]["message"].startswith("unauthorized: gateway token missing")
    assert code == 1008


async def test_a_browser_from_another_origin_is_refused(gateway: GatewayProcess) -> None:
    async with websockets.connect(gateway.ws_url, origin="http://evil.example") as ws:  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "origin not allowed")


async def test_a_browser_on_the_gateways_own_origin_connects(gateway: GatewayProcess) -> None:
    origin = f"http://127.0.0.1:{gateway.port}"
    client = await Client.open(gateway.ws_url, origin=origin)
    await client.close()
    assert client.hello["type"] == "hello-ok"


async def test_the_password_works_like_the_token(gateway: GatewayProcess) -> None:
    async with websockets.connect(gateway.ws_url) as ws:
        await ws.recv()
        params = connect_params(None, auth={"password": TOKEN})
        await ws.send(req("connect", params))
        res = json.loads(await ws.recv())
    assert res["ok"] is True


async def test_stopping_the_gateway_tells_clients_why(gateway_factory: Any) -> None:
    gw = gateway_factory(
        "--no-channels", env={"EPILOOP_GATEWAY_TOKEN": TOKEN}, config={"gateway": {"mode": "local"}}
    )
    client = await Client.open(gw.ws_url)
    gw.proc.send_signal(15)
    shutdown = await client.event("shutdown", timeout=10)
    await client.close()
    assert shutdown["payload"]["reason"] == "gateway stopping"
    assert isinstance(shutdown["seq"], int)

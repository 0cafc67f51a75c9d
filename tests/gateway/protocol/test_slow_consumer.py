"""A client that stops reading is closed as a slow consumer; the gateway's memory stays flat."""

from __future__ import annotations

import asyncio
import json

import psutil
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.gateway.protocol.client import Client, connect_params
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e


def rss_mb(gw: GatewayProcess) -> float:
    return float(psutil.Process(gw.proc.pid).memory_info().rss) / 2**20


async def test_a_client_that_stops_reading_is_closed_and_memory_stays_flat(
    gateway: GatewayProcess,
) -> None:
    watcher = await Client.open(gateway.ws_url)
    for _ in range(20):  # warm up: schema built, allocator settled
        await watcher.ok("config.schema")
    before = rss_mb(gateway)
    start = len(gateway.lines())
    # max_queue=1: the client library stops reading the socket once one frame is unread.
    async with websockets.connect(gateway.ws_url, max_queue=1, max_size=None) as ws:
        await ws.recv()
        await ws.send(
            json.dumps({"type": "req", "id": "c", "method": "connect", "params": connect_params()})
        )
        await ws.recv()
        request = json.dumps({"type": "req", "id": "s", "method": "config.schema", "params": {}})
        for _ in range(3000):  # ~45 MB of answers if nothing were bounded
            await ws.send(request)
        gateway.wait_for(r"closing slow WebSocket client", timeout=20, start=start)
        await asyncio.sleep(0.5)
        after = rss_mb(gateway)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
    # The healthy client on the same gateway carries on.
    assert (await watcher.ok("health"))["ok"] is True
    await watcher.close()
    assert after - before < 20, f"gateway grew {after - before:.1f} MB"
    assert closed.value.rcvd is None or closed.value.rcvd.code == 1008
    if closed.value.rcvd is not None:
        assert closed.value.rcvd.reason == "slow consumer"

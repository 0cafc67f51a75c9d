"""Gateway protocol numbers (issue 6; not a test).

Starts `rungateway` on a temp state dir and measures, with the `websockets` client:
- `health` round trip on one authenticated connection (median, p99 over N calls),
- the connect handshake (TCP + WebSocket upgrade + challenge + connect -> hello-ok),
- gateway memory growth (RSS) for 1,000 idle authenticated connections.
Usage: .venv/bin/python bench/ws.py [--calls 2000] [--handshakes 200] [--idle 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
import websockets

from tests.support.gateway import start_gateway

TOKEN = "bench-token-1234567890"
CONNECT = {
    "type": "req",
    "id": "c",
    "method": "connect",
    "params": {
        "minProtocol": 3,
        "maxProtocol": 3,
        "client": {"id": "cli", "version": "bench", "platform": "linux", "mode": "cli"},
        "auth": {"token": TOKEN},
    },
}


async def handshake(url: str) -> websockets.ClientConnection:
    ws = await websockets.connect(url, compression=None)
    await ws.recv()
    await ws.send(json.dumps(CONNECT))
    hello = json.loads(await ws.recv())
    assert hello["ok"], hello
    return ws


def cpu_s(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def health_round_trips(url: str, calls: int) -> list[float]:
    ws = await handshake(url)
    times: list[float] = []
    for i in range(calls + 100):
        frame = json.dumps({"type": "req", "id": str(i), "method": "health", "params": {}})
        started = time.perf_counter()
        await ws.send(frame)
        while True:
            answer = json.loads(await ws.recv())
            if answer.get("type") == "res":
                break
        if i >= 100:  # warm-up first
            times.append((time.perf_counter() - started) * 1000)
    await ws.close()
    return times


async def handshakes(url: str, count: int) -> list[float]:
    times: list[float] = []
    for i in range(count + 20):
        started = time.perf_counter()
        ws = await handshake(url)
        elapsed = (time.perf_counter() - started) * 1000
        await ws.close()
        if i >= 20:
            times.append(elapsed)
    return times


async def idle_memory(url: str, pid: int, count: int) -> tuple[float, float, float]:
    proc = psutil.Process(pid)
    await asyncio.sleep(1)
    before = proc.memory_info().rss / 2**20
    conns = []
    for start in range(0, count, 100):  # bursts of 100 simultaneous connects
        conns += await asyncio.gather(*(handshake(url) for _ in range(min(100, count - start))))
    await asyncio.sleep(3)  # presence events settle
    after = proc.memory_info().rss / 2**20
    # Still alive and answering with all of them open:
    ws = conns[0]
    await ws.send(json.dumps({"type": "req", "id": "h", "method": "health", "params": {}}))
    while json.loads(await ws.recv()).get("type") != "res":
        pass
    await asyncio.gather(*(c.close() for c in conns))
    await asyncio.sleep(2)
    closed = proc.memory_info().rss / 2**20
    return before, after, closed


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gw = start_gateway(
            Path(tmp),
            "--no-channels",
            env={"EPILOOP_GATEWAY_TOKEN": TOKEN},
            config={"gateway": {"mode": "local"}, "agents": {"list": [{"id": "main"}]}},
        )
        try:
            proc = psutil.Process(gw.proc.pid)
            cpu = cpu_s(proc)
            rt = await health_round_trips(gw.ws_url, args.calls)
            per_call = (cpu_s(proc) - cpu) / (args.calls + 100) * 1000
            print(
                f"health round trip: median {statistics.median(rt):.3f} ms, "
                f"p99 {pct(rt, 0.99):.3f} ms over {len(rt)} calls (target <= 0.3 ms); "
                f"gateway CPU {per_call:.3f} ms per call"
            )
            cpu = cpu_s(proc)
            hs = await handshakes(gw.ws_url, args.handshakes)
            per_hs = (cpu_s(proc) - cpu) / (args.handshakes + 20) * 1000
            print(
                f"connect handshake: median {statistics.median(hs):.3f} ms, "
                f"p99 {pct(hs, 0.99):.3f} ms over {len(hs)} connections (target <= 2 ms); "
                f"gateway CPU {per_hs:.3f} ms per connection (open + close)"
            )
            print(
                f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
                "CPUs (wall times grow with it; CPU per call much less)"
            )
            before, after, closed = await idle_memory(gw.ws_url, gw.proc.pid, args.idle)
            print(
                f"{args.idle} idle authenticated connections: RSS {before:.1f} -> {after:.1f} MB "
                f"(+{after - before:.1f} MB, target <= 40 MB); {closed:.1f} MB after closing"
            )
        finally:
            gw.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--handshakes", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    asyncio.run(main(parser.parse_args()))

"""Telegram channel benchmark (not a test): webhook-mode throughput and added latency.

    .venv/bin/python bench/telegram.py [--updates 1000] [--concurrency 64] [--latency 200]

Starts `rungateway` as a process in webhook mode against the fake Bot API and an instant
fake OpenAI server (both on 127.0.0.1, in this process), then POSTs Telegram updates to the
gateway's webhook path with the secret header, as Telegram would. A reply counts when its
`sendMessage` reaches the fake Bot API.

1. Added latency: updates one at a time; POST sent -> `sendMessage` received, minus the
   fake model's own time (zero). Includes Django, the policy, the agent turn (OpenAI SDK on
   loopback) and the Bot API call. Median and p95.
2. Throughput: `--updates` DMs from as many senders, `--concurrency` POSTs in flight;
   replies per second from the first POST to the last `sendMessage`.

Targets (issue 5): >= 300 updates/s, median added latency <= 5 ms.
Runs on a temporary state dir; never touches ~/.epiloop.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-1"


def gateway_config(tg: Any, hook: str, max_concurrent: int) -> dict[str, Any]:
    return {
        "gateway": {"mode": "local"},
        "agents": {
            "defaults": {
                "model": {"primary": "openai/gpt-4o-mini"},
                "maxConcurrent": max_concurrent,
            },
            "list": [{"id": "main", "default": True}],
        },
        "channels": {
            "telegram": {
                "botToken": tg.token,
                "apiRoot": tg.url,
                "webhookUrl": hook,
                "webhookSecret": SECRET,
                "dmPolicy": "open",
                "allowFrom": ["*"],
            }
        },
    }


async def post(session: Any, hook: str, update: dict[str, Any]) -> float:
    started = time.monotonic()
    async with session.post(
        hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    ) as resp:
        await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"webhook answered {resp.status}")
    return started


async def wait_replies(tg: Any, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(tg.sent()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(tg.sent())} of {count} replies arrived")
        await asyncio.sleep(0.002)


def update_for(tg: Any, n: int, chat_id: int) -> dict[str, Any]:
    return {"update_id": n, **tg.message_update(f"ping {n}", chat_id=chat_id, user_id=chat_id)}


async def measure(tg: Any, hook: str, args: argparse.Namespace) -> dict[str, float]:
    import aiohttp

    results: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        n = 0
        # Warm-up: first requests import the model SDK and warm Django.
        for _ in range(20):
            n += 1
            await post(session, hook, update_for(tg, n, 5_000_000 + n))
        await wait_replies(tg, n)

        latencies: list[float] = []
        for _ in range(args.latency):
            n += 1
            chat = 6_000_000 + n
            before = len(tg.sent())
            started = await post(session, hook, update_for(tg, n, chat))
            await wait_replies(tg, before + 1)
            arrived = [at for at, p in tg.timed_calls("sendMessage") if p.get("chat_id") == chat]
            latencies.append((arrived[0] - started) * 1000)
        latencies.sort()
        results["latency_median_ms"] = statistics.median(latencies)
        results["latency_p95_ms"] = latencies[int(len(latencies) * 0.95) - 1]

        before = len(tg.sent())
        first = n + 1
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(args.updates):
            queue.put_nowait(first + i)

        async def worker() -> None:
            while not queue.empty():
                k = queue.get_nowait()
                await post(session, hook, update_for(tg, k, 7_000_000 + k))

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        await wait_replies(tg, before + args.updates)
        last = max(at for at, _ in tg.timed_calls("sendMessage"))
        results["throughput_per_s"] = args.updates / (last - started)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--max-concurrent", type=int, default=4, help="agents maxConcurrent")
    args = parser.parse_args()

    from tests.fakes.openai.server import FakeOpenAI
    from tests.fakes.telegram import FakeTelegram
    from tests.support.gateway import free_port, start_gateway

    tg = FakeTelegram().start()
    model = FakeOpenAI().start()
    model.default.text = "pong"
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-webhook/bench"
    state = Path(tempfile.mkdtemp(prefix="epiloop-bench-telegram-"))
    gw = start_gateway(
        state,
        port=port,
        env={
            "EPILOOP_GATEWAY_TOKEN": "bench-gateway-token-123456",
            "OPENAI_API_KEY": "sk-bench-fake",
            "OPENAI_BASE_URL": model.url + "/v1",
        },
        config=gateway_config(tg, hook, args.max_concurrent),
        timeout=60,
    )
    try:
        gw.wait_for(r"\[telegram\] webhook set", timeout=60)
        results = asyncio.run(measure(tg, hook, args))
    finally:
        gw.stop()
        tg.stop()
        model.stop()
        problems = [line for line in gw.lines() if "warning" in line or "error" in line]
        if problems:
            print(
                f"gateway reported {len(problems)} problems, first ones:", *problems[:5], sep="\n"
            )
    print(
        f"telegram webhook: {results['throughput_per_s']:.0f} updates answered/s "
        f"({args.updates} updates, {args.concurrency} in flight, maxConcurrent "
        f"{args.max_concurrent}); added latency median {results['latency_median_ms']:.1f} ms, "
        f"p95 {results['latency_p95_ms']:.1f} ms ({args.latency} sequential updates)"
    )


if __name__ == "__main__":
    main()

"""Telegram channel benchmark (not a test): webhook-mode throughput and added latency.

    .venv/bin/python bench/telegram.py [--updates 1000] [--concurrency 64] [--latency 200]

Starts `rungateway` as a process in webhook mode against the fake Bot API and an instant
fake OpenAI server (both on 127.0.0.1, in this process), then POSTs Telegram updates to the
gateway's webhook path with the secret header, as Telegram would. A reply counts when its
`sendMessage` reaches the fake Bot API.

1. Added latency: updates one at a time; POST sent -> `sendMessage` received, minus the
   fake model's own time (zero). Includes Django, the policy, the agent turn (OpenAI SDK on
   loopback) and the Bot API call. Median and p95.
2. Throughput: `--updates` DMs from `--senders` users (their sessions opened during the
   warm-up), `--concurrency` POSTs in flight; replies per second from the first POST to
   the last `sendMessage`.

Also reported: the gateway process's CPU time per answered update (psutil), which says what
one free core could sustain even when the machine is busy and wall-clock numbers suffer.

Targets (issue 5): >= 300 updates/s, median added latency <= 5 ms.
Runs on a temporary state dir; never touches ~/.epiloop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name would hide the
# `telegram` package (python-telegram-bot): replace that entry with the project root.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
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
        # The bench measures throughput; a few senders send thousands of messages.
        "limits": {"inbound": {"enabled": False}},
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
    while tg.count("sendMessage") < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {tg.count('sendMessage')} of {count} replies arrived")
        await asyncio.sleep(0.002)


def update_for(tg: Any, n: int, chat_id: int) -> dict[str, Any]:
    return {"update_id": n, **tg.message_update(f"ping {n}", chat_id=chat_id, user_id=chat_id)}


def cpu_seconds(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def measure(tg: Any, hook: str, args: argparse.Namespace, pid: int) -> dict[str, float]:
    import aiohttp

    results: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        n = 0
        # Warm-up: the first requests import the model SDK, warm Django and open a session
        # for each sender the measurements use.
        for sender in range(args.senders):
            n += 1
            await post(session, hook, update_for(tg, n, 7_000_000 + sender))
        await wait_replies(tg, n)

        latencies: list[float] = []
        for _ in range(args.latency):
            n += 1
            chat = 7_000_000 + n % args.senders
            before = tg.count("sendMessage")
            started = await post(session, hook, update_for(tg, n, chat))
            await wait_replies(tg, before + 1)
            arrived = [at for at, p in tg.timed_calls("sendMessage") if p.get("chat_id") == chat]
            latencies.append((arrived[-1] - started) * 1000)
        latencies.sort()
        results["latency_median_ms"] = statistics.median(latencies)
        results["latency_p95_ms"] = latencies[int(len(latencies) * 0.95) - 1]

        await asyncio.sleep(2.0)
        idle_before = cpu_seconds(pid)
        await asyncio.sleep(3.0)
        results["idle_cpu_ms_per_s"] = (cpu_seconds(pid) - idle_before) * 1000 / 3.0
        before = tg.count("sendMessage")
        first = n + 1
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(args.updates):
            queue.put_nowait(first + i)

        async def worker() -> None:
            while not queue.empty():
                k = queue.get_nowait()
                await post(session, hook, update_for(tg, k, 7_000_000 + k % args.senders))

        cpu_before = cpu_seconds(pid)
        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        await wait_replies(tg, before + args.updates)
        last = max(at for at, _ in tg.timed_calls("sendMessage"))
        results["throughput_per_s"] = args.updates / (last - started)
        results["cpu_ms_per_update"] = (cpu_seconds(pid) - cpu_before) * 1000 / args.updates
    return results


async def asgi_post(app: Any, path: str, body: bytes, secret: str) -> int:
    """One POST through Django's ASGI application, as Daphne would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-telegram-bot-api-secret-token", secret.encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure_layer(args: argparse.Namespace) -> dict[str, float]:
    """The Telegram layer alone, in this process: the gateway's ASGI app -> webhook ->
    python-telegram-bot -> policy -> an instant agent -> sendMessage to the fake Bot API."""
    import json
    from dataclasses import dataclass

    from channels_app import webhooks
    from channels_app.telegram.adapter import TelegramAdapter
    from config import runtime
    from config.schema import EpiloopConfig
    from epiloop_site.asgi import application
    from tests.fakes.telegram import FakeTelegram

    @dataclass
    class Instant:
        text: str = "pong"

    async def instant_agent(inbound: Any, *, system_prompt: str = "") -> Instant:
        return Instant()

    tg = FakeTelegram().start()
    path = "/telegram-webhook/bench"
    config = EpiloopConfig.model_validate(gateway_config(tg, "https://bench.example" + path, 4))
    runtime.set_current(config)
    app = application
    adapter = TelegramAdapter(config, reply=instant_agent)
    await adapter.start()
    while webhooks.lookup(path) is None or not tg.webhook["url"]:
        await asyncio.sleep(0.01)
    results: dict[str, float] = {}
    try:
        latencies: list[float] = []
        total = args.latency + 20
        for n in range(1, total + 1):
            body = json.dumps(update_for(tg, n, 7_000_000 + n % args.senders)).encode()
            started = time.monotonic()
            if await asgi_post(app, path, body, SECRET) != 200:
                raise RuntimeError("webhook refused the update")
            await wait_replies(tg, n)
            if n > 20:  # after the warm-up
                latencies.append((tg.timed_calls("sendMessage")[-1][0] - started) * 1000)
        results["latency_median_ms"] = statistics.median(latencies)
        cpu_before = time.process_time()
        started = time.monotonic()
        bodies = [
            json.dumps(update_for(tg, total + i, 7_000_000 + i % args.senders)).encode()
            for i in range(1, args.updates + 1)
        ]
        for i in range(0, len(bodies), args.concurrency):
            batch = bodies[i : i + args.concurrency]
            await asyncio.gather(*(asgi_post(app, path, b, SECRET) for b in batch))
        await wait_replies(tg, total + args.updates)
        last = max(at for at, _ in tg.timed_calls("sendMessage"))
        results["throughput_per_s"] = args.updates / (last - started)
        # Includes the fake Bot API's own work (same process): an upper bound.
        results["cpu_ms_per_update"] = (time.process_time() - cpu_before) * 1000 / args.updates
    finally:
        await adapter.stop()
        tg.stop()
    return results


def run_layer(args: argparse.Namespace) -> None:
    state = tempfile.mkdtemp(prefix="epiloop-bench-telegram-")
    os.environ["EPILOOP_STATE_DIR"] = state
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("epiloop").setLevel(logging.WARNING)
    results = asyncio.run(measure_layer(args))
    print(
        f"telegram layer in-process (ASGI app -> webhook -> PTB -> policy -> instant agent "
        f"-> sendMessage): {results['throughput_per_s']:.0f} updates/s, latency median "
        f"{results['latency_median_ms']:.2f} ms, CPU {results['cpu_ms_per_update']:.2f} ms per "
        f"update incl. the fake Bot API; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--senders", type=int, default=64, help="distinct users (sessions)")
    parser.add_argument("--max-concurrent", type=int, default=4, help="agents maxConcurrent")
    parser.add_argument(
        "--layer", action="store_true", help="also measure the Telegram layer alone, in-process"
    )
    args = parser.parse_args()
    if args.layer:
        run_layer(args)

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
        results = asyncio.run(measure(tg, hook, args, gw.proc.pid))
    finally:
        gw.stop()
        tg.stop()
        model.stop()
        problems = [line for line in gw.lines() if "warning" in line or "error" in line]
        if problems:
            print(
                f"gateway reported {len(problems)} problems, first ones:", *problems[:5], sep="\n"
            )
    cpu = results["cpu_ms_per_update"]
    print(
        f"telegram webhook: {results['throughput_per_s']:.0f} updates answered/s "
        f"({args.updates} updates, {args.concurrency} in flight, maxConcurrent "
        f"{args.max_concurrent}); added latency median {results['latency_median_ms']:.1f} ms, "
        f"p95 {results['latency_p95_ms']:.1f} ms ({args.latency} sequential updates)\n"
        f"gateway CPU per answered update: {cpu:.2f} ms (one free core: ~{1000 / cpu:.0f}/s; "
        f"idle gateway: {results['idle_cpu_ms_per_s']:.0f} ms CPU/s); "
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()

"""Agent turn benchmarks (not a test): gateway-added latency and throughput.

    .venv/bin/python bench/turns.py [--turns 200] [--sessions 100] [--rounds 4]

1. Latency: sequential turns through `agents.service.reply_to` (the path the channels
   use) against an instant fake Anthropic server running in its own process. Added
   latency = wall time of the turn minus the fake model's own time (zero here), so it
   includes the SDK and HTTP on loopback; the same request made with the bare SDK is
   measured too, which shows what our code adds on top. Reports median and p99.
2. Throughput: `--sessions` concurrent sessions, maxConcurrent 4, a fake model that takes
   50 ms per reply; ideal = 4 / 0.05 s = 80 turns/s.

Runs on a temporary state dir and database; never touches ~/.epiloop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_fake(delay: float) -> None:
    """Child process mode: run a fake Anthropic server, print its URL, serve until stdin ends."""
    from tests.fakes.anthropic.server import FakeAnthropic

    fake = FakeAnthropic().start()
    fake.default.text = "ok"
    fake.default.delay = delay
    print(fake.url, flush=True)
    sys.stdin.read()
    fake.stop()


def spawn_fake(delay: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-fake", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def configure(url: str, max_concurrent: int) -> None:
    from config.runtime import set_current
    from config.schema import EpiloopConfig

    doc = {
        "agents": {
            "defaults": {
                "model": {"primary": "anthropic/claude-sonnet-4-6"},
                "maxConcurrent": max_concurrent,
            }
        },
        "models": {"providers": {"anthropic": {"baseUrl": url, "apiKey": "bench-key-123"}}},
    }
    set_current(EpiloopConfig.model_validate(doc))


def msg(sender: str, text: str) -> object:
    from agents.inbound import InboundMessage

    return InboundMessage(
        channel="discord", chat_kind="dm", chat_id=f"dm-{sender}", sender_id=sender, text=text
    )


def summary(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"median {statistics.median(values):.2f} ms, p99 {p99:.2f} ms"


async def bare_sdk(url: str, turns: int) -> tuple[list[float], float]:
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="bench-key-123", base_url=url, max_retries=0)
    times = []
    cpu = 0.0
    for i in range(turns + 10):
        if i == 10:
            cpu = time.process_time()
        began = time.perf_counter()
        stream = await client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=4096,
            messages=[{"role": "user", "content": f"turn {i}"}],
            stream=True,
        )
        async for _event in stream:
            pass
        if i >= 10:
            times.append((time.perf_counter() - began) * 1000)
    cpu = (time.process_time() - cpu) / turns * 1000
    await client.close()
    return times, cpu


async def latency(url: str, turns: int) -> None:
    from agents.service import drain, reply_to

    configure(url, 4)
    for i in range(10):  # warm up: SDK import, client, DB connection
        await reply_to(msg("warm", f"warm {i}"))  # type: ignore[arg-type]
    added: list[float] = []
    cpu = time.process_time()
    for i in range(turns):
        await drain()  # the previous turn's write finishes while the user reads the reply
        began = time.perf_counter()
        reply = await reply_to(msg(str(i // 20), f"turn {i}"))  # type: ignore[arg-type]
        added.append((time.perf_counter() - began) * 1000)
        assert reply.ok, reply.text
    await drain()
    cpu = (time.process_time() - cpu) / turns * 1000
    sdk, sdk_cpu = await bare_sdk(url, turns)
    ours = statistics.median(added) - statistics.median(sdk)
    print(
        f"latency: {turns} sequential turns through reply_to: gateway-added {summary(added)}; "
        f"CPU {cpu:.1f} ms per turn"
    )
    print(
        f"         the bare SDK call alone: {summary(sdk)}, CPU {sdk_cpu:.1f} ms; "
        f"our code adds {ours:.2f} ms (median)"
    )


async def throughput(url: str, sessions: int, rounds: int) -> None:
    from agents.service import drain, reply_to

    configure(url, 4)

    async def session(n: int) -> None:
        for r in range(rounds):
            reply = await reply_to(msg(f"s{n}", f"round {r}"))  # type: ignore[arg-type]
            assert reply.ok, reply.text

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(session(n) for n in range(sessions)))
    took = time.perf_counter() - began
    await drain()
    cpu = time.process_time() - cpu
    total = sessions * rounds
    print(
        f"throughput: {total} turns over {sessions} concurrent sessions, maxConcurrent 4, "
        f"50 ms model: {took:.2f} s = {total / took:.1f} turns/s (ideal 80); "
        f"CPU {cpu / total * 1000:.1f} ms per turn"
    )


async def main(args: argparse.Namespace) -> None:
    from agents.providers.clients import close_all

    instant, instant_url = spawn_fake(0.0)
    slow, slow_url = spawn_fake(0.05)
    try:
        await latency(instant_url, args.turns)
        await throughput(slow_url, args.sessions, args.rounds)
    finally:
        await close_all()
        for proc in (instant, slow):
            proc.communicate("")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--serve-fake", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        serve_fake(args.serve_fake)
        sys.exit(0)
    os.environ["EPILOOP_STATE_DIR"] = tempfile.mkdtemp(prefix="epiloop-bench-")
    os.environ["ANTHROPIC_CONFIG_DIR"] = os.environ["EPILOOP_STATE_DIR"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    asyncio.run(main(args))

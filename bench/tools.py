"""Tool loop benchmarks (not a test).

    .venv/bin/python bench/tools.py [--turns 60] [--rounds 5] [--rss-runs 3]

1. Gateway-added time per tool round trip: turns through `agents.service.run_turn` against
   an instant fake Anthropic server (its own process) that always asks for the instant
   `noop` tool. A turn with `maxToolIterations` R makes R + 1 model calls and R tool calls;
   one with 0 makes one call. Per round = (median turn(R) - median turn(0)) / R; minus the
   bare SDK's median time for the same streamed request, that is what Epiloop adds per
   round (target <= 2 ms).
2. Idle RSS of `rungateway` with tools configured (profile, allow/deny, owners) but unused,
   against the same gateway without a `tools` section (target <= +3 MB): tool modules are
   imported only when a turn offers them.
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


class NoopTool:
    """The instant tool."""

    name = "noop"
    group = "bench"
    description = "Does nothing."

    def input_schema(self) -> dict[str, object]:
        return {"type": "object", "properties": {"n": {"type": "integer"}}, "required": []}

    async def run(self, args: dict[str, object], ctx: object) -> str:
        return "ok"


def serve_fake() -> None:
    """Child process mode: a fake Anthropic server whose every reply calls `noop`."""
    from tests.fakes.anthropic.server import FakeAnthropic

    fake = FakeAnthropic().start()
    fake.default.text = ""
    fake.default.tool_calls = [{"name": "noop", "input": {"n": 1}}]
    print(fake.url, flush=True)
    sys.stdin.read()
    fake.stop()


def configure(url: str, rounds: int) -> None:
    from config.runtime import set_current
    from config.schema import EpiloopConfig

    doc = {
        "agents": {
            "defaults": {
                "model": {"primary": "anthropic/claude-sonnet-4-6"},
                "maxToolIterations": rounds,
            }
        },
        "models": {"providers": {"anthropic": {"baseUrl": url, "apiKey": "bench-key-123"}}},
        "tools": {"allow": ["noop"]},
    }
    set_current(EpiloopConfig.model_validate(doc))


async def turns(url: str, rounds: int, count: int) -> list[float]:
    from agents import memory
    from agents.service import drain, run_turn

    configure(url, rounds)
    times: list[float] = []
    for i in range(count + 5):
        await drain()
        memory.forget()  # every turn starts from the same short history
        began = time.perf_counter()
        result = await run_turn("main", f"agent:main:bench-{rounds}-{i}", f"turn {i}")
        if i >= 5:  # the first ones warm the SDK, the client and the database
            times.append((time.perf_counter() - began) * 1000)
        assert result.ok, result.text
    await drain()
    return times


async def bare_sdk(url: str, count: int) -> list[float]:
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="bench-key-123", base_url=url, max_retries=0)
    times = []
    for i in range(count + 5):
        began = time.perf_counter()
        stream = await client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=4096,
            messages=[{"role": "user", "content": f"turn {i}"}],
            stream=True,
        )
        async for _event in stream:
            pass
        if i >= 5:
            times.append((time.perf_counter() - began) * 1000)
    await client.close()
    return times


async def round_trip(url: str, count: int, rounds: int) -> None:
    from agents.providers.clients import close_all
    from agents.tools import registry

    registry.TOOLS["noop"] = ("bench", "bench.tools:NoopTool")
    try:
        base = statistics.median(await turns(url, 0, count))
        loop = statistics.median(await turns(url, rounds, count))
        sdk = statistics.median(await bare_sdk(url, count))
    finally:
        await close_all()
        registry.TOOLS.pop("noop", None)
    per_round = (loop - base) / rounds
    print(
        f"tool round trip: turn without tools {base:.2f} ms, with {rounds} rounds "
        f"{loop:.2f} ms -> {per_round:.2f} ms per round; bare SDK call {sdk:.2f} ms; "
        f"gateway-added per round {per_round - sdk:.2f} ms (median of {count})"
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle_rss(with_tools: bool, settle: float) -> float:
    from tests.support.gateway import spawn_gateway

    config: dict[str, object] = {"gateway": {"mode": "local"}, "agents": {"list": [{"id": "main"}]}}
    if with_tools:
        config["tools"] = {"profile": "coding", "deny": ["exec"], "guestProfile": "messaging"}
        config["agents"] = {"list": [{"id": "main", "owners": ["discord:1"]}]}
    with tempfile.TemporaryDirectory() as tmp:
        gw = spawn_gateway(
            Path(tmp), config=config, env={"EPILOOP_GATEWAY_TOKEN": "bench-token-1234567890"}
        )
        gw.wait_for(r"\[gateway\] listening on ws://", timeout=60)
        time.sleep(settle)
        rss = rss_mb(gw.proc.pid)
        gw.stop()
        return rss


def memory(runs: int, settle: float) -> None:
    idle_rss(False, 1.0)  # warm the file cache and the migrated template database
    without = statistics.median(idle_rss(False, settle) for _ in range(runs))
    with_tools = statistics.median(idle_rss(True, settle) for _ in range(runs))
    print(
        f"idle RSS after {settle:.0f} s: without tools {without:.1f} MB, with tools "
        f"configured {with_tools:.1f} MB ({with_tools - without:+.1f} MB, median of {runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rss-runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake()
        return
    os.environ["EPILOOP_STATE_DIR"] = tempfile.mkdtemp(prefix="epiloop-bench-")
    os.environ["ANTHROPIC_CONFIG_DIR"] = os.environ["EPILOOP_STATE_DIR"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("epiloop.agent").setLevel(logging.WARNING)  # one line per tool call
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-fake"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        asyncio.run(round_trip(url, args.turns, args.rounds))
    finally:
        proc.communicate("")
    if args.rss_runs:
        memory(args.rss_runs, args.settle)


if __name__ == "__main__":
    main()

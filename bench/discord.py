"""Discord numbers of issue 4 (not a test): throughput, added latency, idle memory.

1. Full stack: `rungateway` as a process against the fake Discord (one guild, 20
   channels, no mention needed) and the fake Anthropic server answering instantly:
   - idle resident memory with Discord connected (and of the same gateway without a
     Discord token, for the difference Discord makes);
   - latency: MESSAGE_CREATE sent by the fake -> the reply POST received by the fake, one
     message at a time (median, p90) -- includes the agent turn (SDK call, session records);
   - throughput: N messages over the 20 channels, a bounded number in flight.
2. Channel only: the adapter in this process with an instant responder instead of the
   agent (what the Discord layer itself adds: gateway event -> policy -> typing -> reply).

Usage: .venv/bin/python bench/discord.py [N_MESSAGES]   (default 2000)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file is named like the discord package: never let its folder shadow the library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.fakes.anthropic.server import FakeAnthropic  # noqa: E402
from tests.fakes.discord import FakeDiscord  # noqa: E402
from tests.support.gateway import start_gateway  # noqa: E402

GUILD = "111"
CHANNELS = {f"chan-{i}": str(2000 + i) for i in range(20)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def config() -> dict[str, object]:
    return {
        "gateway": {"mode": "local"},
        "agents": {
            "defaults": {"model": {"primary": "anthropic/fake-model"}, "maxConcurrent": 20},
            "list": [{"id": "main", "default": True}],
        },
        # The bench measures throughput; a few senders send thousands of messages.
        "limits": {"inbound": {"enabled": False}},
        "channels": {
            "discord": {"groupPolicy": "allowlist", "guilds": {GUILD: {"requireMention": False}}}
        },
    }


def answered(discord: FakeDiscord) -> int:
    with discord._cond:
        return len(discord.sent)


def latency(discord: FakeDiscord, count: int) -> list[float]:
    samples = []
    channels = list(CHANNELS.values())
    for i in range(count):
        before = answered(discord)
        msg_id = discord.send_message(channels[i % len(channels)], f"ping {i}")
        discord.wait_until(lambda b=before: len(discord.sent) > b, 30)
        with discord._cond:
            reply = next(m for m in discord.sent[before:] if m["reply_to"] == msg_id)
            samples.append((reply["at"] - discord.dispatched_at[msg_id]) * 1000)
    return samples


def throughput(discord: FakeDiscord, total: int, window: int = 100) -> float:
    channels = list(CHANNELS.values())
    start_count = answered(discord)
    started = time.perf_counter()
    for i in range(total):
        # keep at most `window` unanswered (5 per channel: under the session queue cap)
        discord.wait_until(lambda i=i: i - (len(discord.sent) - start_count) < window, 60)
        discord.send_message(channels[i % len(channels)], f"load {i}")
    if not discord.wait_until(lambda: len(discord.sent) - start_count >= total, 120):
        raise SystemExit(f"only {answered(discord) - start_count} of {total} answered")
    return total / (time.perf_counter() - started)


def idle_without_discord(discord: FakeDiscord) -> float:
    env = {"EPILOOP_GATEWAY_TOKEN": "bench-token-1234567890"}
    with tempfile.TemporaryDirectory() as tmp:
        gw = start_gateway(Path(tmp), env=env, config=config(), timeout=60)
        try:
            time.sleep(6)
            return rss_mb(gw.proc.pid)
        finally:
            gw.stop()


def channel_only(discord: FakeDiscord, total: int) -> tuple[list[float], float]:
    """The adapter in-process with an instant responder (the fake shares this process)."""
    import asyncio
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.channels_app.discord.helpers import Echo, config_for, started

    async def run() -> tuple[list[float], float]:
        cfg = config_for(discord, guilds={GUILD: {"requireMention": False}})
        bot = await started(discord, cfg, Echo())
        channels = list(CHANNELS.values())
        samples: list[float] = []
        for i in range(220):
            before = answered(discord)
            msg_id = discord.send_message(channels[i % 20], f"hi {i}")
            while answered(discord) <= before:
                await asyncio.sleep(0.0002)
            if i >= 20:  # warm-up excluded
                samples.append((discord.sent[-1]["at"] - discord.dispatched_at[msg_id]) * 1000)
        start_count = answered(discord)
        started_at = time.perf_counter()
        for i in range(total):
            while i - (answered(discord) - start_count) >= 100:
                await asyncio.sleep(0.001)
            discord.send_message(channels[i % 20], f"load {i}")
            if i % 10 == 0:
                await asyncio.sleep(0)
        while answered(discord) - start_count < total:
            await asyncio.sleep(0.005)
        rate = total / (time.perf_counter() - started_at)
        await bot.stop()
        return samples, rate

    return asyncio.run(run())


def report(title: str, samples: list[float], rate: float, total: int) -> None:
    samples = sorted(samples)
    print(
        f"{title}: MESSAGE_CREATE -> reply POST median {statistics.median(samples):.2f} ms, "
        f"p90 {samples[int(len(samples) * 0.9)]:.2f} ms (n={len(samples)}); "
        f"{rate:.0f} messages answered/s ({total} messages, 20 channels)"
    )


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    discord = FakeDiscord()
    discord.add_guild(GUILD, "Bench", CHANNELS)
    discord.echo_own_messages = True  # like Discord: the bot sees its own replies
    discord.start()
    model = FakeAnthropic().start()
    env = {
        "EPILOOP_GATEWAY_TOKEN": "bench-token-1234567890",
        "DISCORD_BOT_TOKEN": discord.token,
        "DISCORD_API_BASE": discord.api_base,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
        "ANTHROPIC_BASE_URL": model.url,
        "ANTHROPIC_API_KEY": "bench-key-abc",
    }
    with tempfile.TemporaryDirectory() as tmp:
        gw = start_gateway(Path(tmp), env=env, config=config(), timeout=60)
        try:
            gw.wait_for(r"\[discord\] logged in to discord", timeout=60)
            time.sleep(5)
            idle = rss_mb(gw.proc.pid)
            latency(discord, 20)  # warm up: SDK import, first DB writes
            samples = latency(discord, 200)
            rate = throughput(discord, total)
            busy = rss_mb(gw.proc.pid)
        finally:
            gw.stop()
            model.stop()
    try:
        bare = idle_without_discord(discord)
    finally:
        discord.stop()
    print(
        f"idle RSS with Discord connected: {idle:.1f} MB (without Discord: {bare:.1f} MB; "
        f"after the load: {busy:.1f} MB)"
    )
    report("full stack, instant fake model", samples, rate, total)
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Bench", CHANNELS)
    fake.start()
    try:
        only, only_rate = channel_only(fake, total)
    finally:
        fake.stop()
    report("channel only, instant responder", only, only_rate, total)


if __name__ == "__main__":
    main()

"""End to end: `rungateway` as a process, the fake Discord, the fake model (Anthropic)."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.fixtures import GENERAL, GUILD_ID, RANDOM, make_fake
from tests.support.gateway import REPO, GatewayProcess, gateway_env, start_gateway

pytestmark = pytest.mark.e2e

# The example config of our Fly guide (issue 2), with the fake guild's id.
GUIDE: dict[str, Any] = {
    "agents": {
        "defaults": {
            "model": {
                "primary": "anthropic/claude-opus-4-5",
                "fallbacks": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"],
            },
            "maxConcurrent": 4,
        },
        "list": [{"id": "main", "default": True}],
    },
    "auth": {
        "profiles": {
            "anthropic:default": {"mode": "token", "provider": "anthropic"},
            "openai:default": {"mode": "token", "provider": "openai"},
        }
    },
    "bindings": [{"agentId": "main", "match": {"channel": "discord"}}],
    "channels": {
        "discord": {
            "enabled": True,
            "groupPolicy": "allowlist",
            "guilds": {
                GUILD_ID: {"channels": {"general": {"allow": True}}, "requireMention": False}
            },
        }
    },
    "gateway": {"mode": "local", "bind": "auto"},
    "meta": {"lastTouchedVersion": "2026.1.24"},
}


def env_for(discord: FakeDiscord, model: FakeAnthropic, token: bool = True) -> dict[str, str]:
    env = {
        "EPILOOP_GATEWAY_TOKEN": "gw-test-token-123",
        "DISCORD_API_BASE": discord.api_base,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
        "ANTHROPIC_BASE_URL": model.url,
        "ANTHROPIC_API_KEY": "test-key-abc",
    }
    if token:
        env["DISCORD_BOT_TOKEN"] = discord.token
    return env


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory, fake_anthropic_server: FakeAnthropic
) -> Iterator[tuple[GatewayProcess, FakeDiscord]]:
    """One gateway on the guide config for the tests that only send messages."""
    fake = make_fake()
    state = tmp_path_factory.mktemp("discord-e2e")
    gw = start_gateway(state, env=env_for(fake, fake_anthropic_server), config=GUIDE)
    try:
        gw.wait_for(r"\[discord\] logged in to discord as epiloop-bot \(id 1000001\)", timeout=30)
        yield gw, fake
    finally:
        gw.stop()
        fake.stop()


@pytest.fixture
def gateway(shared: tuple[GatewayProcess, FakeDiscord]) -> GatewayProcess:
    return shared[0]


@pytest.fixture
def discord(shared: tuple[GatewayProcess, FakeDiscord]) -> FakeDiscord:
    shared[1].clear()
    return shared[1]


def test_the_guide_config_answers_in_general_without_a_mention(
    gateway: GatewayProcess, discord: FakeDiscord, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(text="Hi from the agent.")
    trigger = discord.send_message(GENERAL, "hello")
    [reply] = discord.wait_for_sent(1, GENERAL, timeout=30)
    assert reply["content"] == "Hi from the agent."
    assert reply["reply_to"] == trigger
    # typing was shown before the reply
    assert discord.events.index(("typing", GENERAL)) < discord.events.index(("message", GENERAL))


def test_refused_messages_are_logged_with_their_reason(
    gateway: GatewayProcess, discord: FakeDiscord
) -> None:
    discord.send_message(RANDOM, "anyone here?")
    gateway.wait_for(
        rf"\[discord\] drop message {GUILD_ID}/{RANDOM} from 42: "
        "channel not allowlisted in this guild"
    )
    discord.send_message(GENERAL, "beep", author_id="77", author_name="robot", bot=True)
    gateway.wait_for(
        rf"drop message {GUILD_ID}/{GENERAL} from 77: sender is a bot \(allowBots is off\)"
    )
    assert discord.sent == []


def test_dm_pairing_round_trip(
    gateway: GatewayProcess, discord: FakeDiscord, fake_anthropic: FakeAnthropic
) -> None:
    discord.dm("hello?", author_id="555", author_name="carol")
    [code_message] = discord.wait_for_sent(1, timeout=30)
    code = re.search(r"pairing code is ([A-Z2-9]{8})", code_message["content"])
    assert code, code_message
    gateway.wait_for(r"drop message dm/\d+ from 555: pairing required")
    discord.dm("hello again?", author_id="555")
    gateway.wait_for(r"from 555: pairing pending")
    approve = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "pairing", "approve", "discord", code.group(1)],
        cwd=REPO,
        env=gateway_env(gateway.state_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert approve.returncode == 0, approve.stderr
    assert "approved discord sender carol (555)" in approve.stdout
    fake_anthropic.script(text="Welcome, carol.")
    discord.dm("and now?", author_id="555")
    try:
        replies = discord.wait_for_sent(2, code_message["channel_id"], timeout=30)
    except AssertionError:
        raise AssertionError(gateway.output()) from None
    assert replies[1]["content"] == "Welcome, carol."


def long_reply() -> str:
    code = "\n".join(
        f"    total_{i} = add(total_{i - 1}, {i})  # running sum" for i in range(1, 70)
    )
    text = (
        "Here is the plan in detail. " * 40
        + "\n\n```python\ndef main():\n"
        + code
        + "\n```\n\n"
        + "And some closing remarks about it. " * 60
    )
    return text[:5000]


def fences_balanced(chunk: str) -> bool:
    return sum(1 for line in chunk.split("\n") if line.strip().startswith("```")) % 2 == 0


def test_a_5000_character_reply_arrives_as_fence_correct_chunks(
    gateway: GatewayProcess, discord: FakeDiscord, fake_anthropic: FakeAnthropic
) -> None:
    text = long_reply()
    assert len(text) == 5000 and "```python" in text
    fake_anthropic.script(text=text)
    trigger = discord.send_message(GENERAL, "explain")
    discord.wait_for_sent(3, GENERAL, timeout=30)
    time.sleep(0.3)
    chunks = discord.sent_to(GENERAL)
    assert all(len(c["content"]) <= 2000 for c in chunks)
    assert all(fences_balanced(c["content"]) for c in chunks)
    assert chunks[0]["reply_to"] == trigger
    joined = "".join(re.sub(r"\s|```(python)?", "", c["content"]) for c in chunks)
    assert joined == re.sub(r"\s|```(python)?", "", text)


def test_the_token_can_come_from_the_config(
    tmp_path: Path, fake_discord: FakeDiscord, fake_anthropic: FakeAnthropic
) -> None:
    config = copy.deepcopy(GUIDE)
    config["channels"]["discord"].update(
        {
            "token": "Bot ${MY_DISCORD_TOKEN}",
            "apiBase": fake_discord.api_base,
            "gatewayUrl": fake_discord.gateway_url,
        }
    )
    env = env_for(fake_discord, fake_anthropic, token=False)
    env.pop("DISCORD_API_BASE")
    env.pop("DISCORD_GATEWAY_URL")
    env["MY_DISCORD_TOKEN"] = fake_discord.token
    gw = start_gateway(tmp_path, env=env, config=config)
    try:
        gw.wait_for(r"\[discord\] logged in to discord as epiloop-bot", timeout=30)
        fake_discord.send_message(RANDOM, "hi")  # the policy runs; no model call needed
        gw.wait_for(rf"drop message {GUILD_ID}/{RANDOM} from 42", timeout=30)
    finally:
        gw.stop()
    assert fake_discord.token not in gw.output()


def test_a_bad_token_is_reported_once_and_the_gateway_keeps_serving(
    tmp_path: Path, fake_discord: FakeDiscord, fake_anthropic: FakeAnthropic
) -> None:
    fake_discord.reject_token = True
    gw = start_gateway(tmp_path, env=env_for(fake_discord, fake_anthropic), config=GUIDE)
    try:
        gw.wait_for(r"\[discord\] error: invalid token", timeout=30)
        time.sleep(2)
        assert gw.get("/healthz").status_code == 200
        ready = gw.get("/readyz")
        assert ready.status_code == 503
        [problem] = [line for line in ready.json()["failing"] if "discord" in line]
        assert problem.startswith("channel discord: invalid token")
        lines = [line for line in gw.lines() if "invalid token" in line]
        assert len(lines) == 1, lines
        assert fake_discord.rest_calls.count(("GET", "/users/@me")) == 1
    finally:
        gw.stop()
    assert fake_discord.token not in gw.output()

"""`python manage.py runchannel discord` runs the Discord channel alone."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.fixtures import GUILD_ID, RANDOM
from tests.support.gateway import REPO, _migrated_template, gateway_env

pytestmark = pytest.mark.e2e


class Proc:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"no {text!r} in:\n" + "\n".join(self.lines))
            time.sleep(0.05)


def test_runchannel_discord_connects_applies_the_policy_and_stops_on_sigterm(
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    shutil.copy(_migrated_template(), tmp_path / "epiloop.sqlite3")
    config: dict[str, Any] = {
        "channels": {"discord": {"guilds": {GUILD_ID: {"channels": {"general": {}}}}}}
    }
    (tmp_path / "epiloop.json").write_text(json.dumps(config))
    env = gateway_env(
        tmp_path,
        {
            "DISCORD_BOT_TOKEN": f"Bot {fake_discord.token}",
            "DISCORD_API_BASE": fake_discord.api_base,
            "DISCORD_GATEWAY_URL": fake_discord.gateway_url,
        },
    )
    proc = Proc(["runchannel", "discord"], env)
    try:
        proc.wait_for("[discord] logged in to discord as epiloop-bot (id 1000001)")
        fake_discord.send_message(RANDOM, "hello?")
        proc.wait_for(f"drop message {GUILD_ID}/{RANDOM} from 42: channel not allowlisted")
    finally:
        proc.proc.send_signal(signal.SIGTERM)
        code = proc.proc.wait(20)
    time.sleep(0.2)
    assert code == 0
    assert fake_discord.token not in "\n".join(proc.lines)


def test_runchannel_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    shutil.copy(_migrated_template(), tmp_path / "epiloop.sqlite3")
    proc = Proc(["runchannel", "discord"], gateway_env(tmp_path))
    assert proc.proc.wait(60) == 1
    time.sleep(0.2)
    assert any("discord is not enabled or has no token" in line for line in proc.lines)

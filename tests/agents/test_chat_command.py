from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agents import chat_cli
from tests.agents.helpers import install, providers
from tests.fakes.anthropic.server import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]


def run_chat(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(EPILOOP_STATE_DIR=str(state), ANTHROPIC_CONFIG_DIR=str(state))
    env.pop("EPILOOP_CONFIG_PATH", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "chat", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def write_config(state: Path, fake: FakeAnthropic) -> None:
    doc = {
        "agents": {
            "defaults": {"model": {"primary": "anthropic/claude-sonnet-4-6"}},
            "list": [{"id": "main", "default": True}, {"id": "ops"}],
        },
        "models": {"providers": {"anthropic": {"baseUrl": fake.url, "apiKey": "test-key-chat"}}},
        "gateway": {"mode": "local"},
    }
    (state / "epiloop.json").write_text(json.dumps(doc))


def test_chat_streams_the_reply_to_the_terminal(
    tmp_path: Path, fake_anthropic: FakeAnthropic
) -> None:
    write_config(tmp_path, fake_anthropic)
    fake_anthropic.script(chunks=["Hello ", "from ", "ops"])
    done = run_chat(tmp_path, "--agent", "ops", "--session", "cli-test", "hi there")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("Hello from ops\n")
    seen = fake_anthropic.requests[0]
    assert seen.api_key == "test-key-chat"
    assert seen.body["messages"] == [{"role": "user", "content": "hi there"}]


@pytest.mark.django_db(transaction=True)
async def test_chat_prints_the_failure_message_when_no_model_answers(
    fake_anthropic: FakeAnthropic,
) -> None:
    install(
        {
            "agents": {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-6"}}},
            "models": providers(fake_anthropic.url),
        }
    )
    fake_anthropic.default.status = 429
    out = io.StringIO()
    result = await chat_cli.chat(None, None, "hi", out)
    assert not result.ok
    assert (
        out.getvalue()
        == "Sorry, no model could answer: anthropic/claude-sonnet-4-6 rate limited.\n"
    )
    assert result.session_key == "agent:main:main"

"""A client in another language (Node's WebSocket, OpenClaw's connect shape) works too."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import TOKEN
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("node_client.mjs")


def node_with_websocket() -> list[str] | None:
    node = shutil.which("node")
    if node is None:
        return None
    for flags in ([], ["--experimental-websocket"]):
        probe = subprocess.run(
            [node, *flags, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"],
            capture_output=True,
        )
        if probe.returncode == 0:
            return [node, *flags]
    return None


def test_a_node_client_connects_calls_methods_and_runs_an_agent(
    model_gateway: GatewayProcess, fake_openai: FakeOpenAI
) -> None:
    node = node_with_websocket()
    if node is None:
        pytest.skip("needs Node 20+ with a WebSocket global")
    fake_openai.script(text="Hi, Node.")
    run = subprocess.run(
        [*node, str(SCRIPT), model_gateway.ws_url, TOKEN],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert results == {
        "hello": {"type": "hello-ok", "protocol": 3},
        "health": True,
        "status": "string",
        "configHash": 64,
        "sessions": True,
        "history": True,
        "agent": {"status": "ok", "text": "Hi, Node."},
    }

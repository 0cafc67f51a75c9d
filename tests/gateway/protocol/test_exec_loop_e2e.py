"""End to end: a model asks for `exec` through the real tool loop of a running gateway; the
run pauses on an approval that an operator answers over the protocol, and what the command
printed (or the refusal) goes back to the model and into the session's history."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import Client
from tests.gateway.protocol.conftest import BASE_CONFIG, start_model_gateway
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e

CONFIG: dict[str, Any] = {
    **BASE_CONFIG,
    "tools": {"exec": {"enabled": True, "security": "full", "ask": "always"}},
}


@pytest.fixture(scope="module")
def exec_gateway(
    tmp_path_factory: pytest.TempPathFactory, fake_openai_server: FakeOpenAI
) -> Iterator[GatewayProcess]:
    gw = start_model_gateway(tmp_path_factory.mktemp("exec-gateway"), fake_openai_server, CONFIG)
    yield gw
    gw.stop()


@pytest.fixture
async def client(exec_gateway: GatewayProcess, fake_openai: FakeOpenAI) -> AsyncIterator[Client]:
    c = await Client.open(exec_gateway.ws_url)
    yield c
    await c.close()


async def final_of(client: Client, run_id: str) -> dict[str, Any]:
    while True:
        event = (await client.event("chat", runId=run_id))["payload"]
        if event["state"] != "delta":
            return event


async def run_exec(client: Client, fake_openai: FakeOpenAI, key: str, decision: str) -> list[Any]:
    command = f"echo printed-by-{key}"
    fake_openai.script(
        text="", tool_calls=[{"id": "x1", "name": "exec", "input": {"command": command}}]
    )
    fake_openai.script(text="Done.")
    session = f"agent:ops:{key}"
    await client.ok(
        "chat.send", {"sessionKey": session, "message": "run it", "idempotencyKey": key}
    )
    requested = (await client.event("exec.approval.requested"))["payload"]
    assert requested["command"] == command and requested["agentId"] == "ops"
    await client.ok("exec.approval.resolve", {"id": requested["id"], "decision": decision})
    final = await final_of(client, key)
    assert final["state"] == "final" and final["message"]["content"][0]["text"] == "Done."
    history = (await client.ok("chat.history", {"sessionKey": session}))["messages"]
    return [m for m in history if m["role"] == "toolResult"]


async def test_an_approved_command_runs_and_its_output_reaches_the_model(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    results = await run_exec(client, fake_openai, "approved", "allow-once")
    assert len(results) == 1
    assert "printed-by-approved" in results[0]["content"][0]["text"]


async def test_a_denied_command_never_runs_and_the_model_is_told(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    results = await run_exec(client, fake_openai, "denied", "deny")
    assert results[0]["isError"] is True
    assert results[0]["content"][0]["text"].startswith("exec not approved: denied")

"""Chat through the real agents service and a fake OpenAI server, over a real WebSocket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakes.openai.server import FakeOpenAI
from tests.gateway.protocol.client import Client
from tests.support.gateway import GatewayProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
async def client(model_gateway: GatewayProcess, fake_openai: FakeOpenAI) -> AsyncIterator[Client]:
    c = await Client.open(model_gateway.ws_url)
    yield c
    await c.close()


async def until_done(client: Client, run_id: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = (await client.event("chat", runId=run_id))["payload"]
        events.append(event)
        if event["state"] != "delta":
            return events


async def test_a_chat_streams_to_a_final_reply_and_lands_in_history(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    words = [f"word{i} " for i in range(12)]
    fake_openai.script(text="".join(words), chunks=words, chunk_delay=0.05)
    started = await client.ok(
        "chat.send", {"sessionKey": "main", "message": "Tell me", "idempotencyKey": "e2e-1"}
    )
    assert started == {"runId": "e2e-1", "status": "started"}
    events = await until_done(client, "e2e-1")
    final = events[-1]
    assert final["state"] == "final"
    assert final["message"]["content"][0]["text"] == "".join(words)
    assert any(e["state"] == "delta" for e in events)
    history = await client.ok("chat.history", {"sessionKey": "main"})
    assert [(m["role"], m["content"][0]["text"]) for m in history["messages"][-2:]] == [
        ("user", "Tell me"),
        ("assistant", "".join(words)),
    ]
    sessions = await client.ok("sessions.list")
    assert "agent:main:main" in [s["key"] for s in sessions["sessions"]]


async def test_aborting_a_long_reply_ends_it_as_aborted(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    pieces = [f"p{i} " for i in range(300)]
    fake_openai.script(text="".join(pieces), chunks=pieces, chunk_delay=0.02)
    await client.ok(
        "chat.send", {"sessionKey": "agent:ops:main", "message": "Go on", "idempotencyKey": "e2e-2"}
    )
    await client.event("chat", runId="e2e-2", state="delta")
    aborted = await client.ok("chat.abort", {"sessionKey": "agent:ops:main"})
    assert aborted["runIds"] == ["e2e-2"]
    last = (await until_done(client, "e2e-2"))[-1]
    assert last["state"] == "aborted"
    assert len(last["message"]["content"][0]["text"]) < len("".join(pieces))


async def test_a_model_failure_ends_in_an_error_with_a_message(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(status=400, error_message="bad request from the fake")
    await client.ok("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "e2e-3"})
    last = (await until_done(client, "e2e-3"))[-1]
    assert last["state"] == "error"
    assert last["errorMessage"]


async def test_agent_answers_accepted_then_ok_on_the_same_id(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(text="Agent says hi")
    req_id = await client.request(
        "agent", {"message": "hi", "agentId": "ops", "idempotencyKey": "e2e-4"}
    )
    first = await client.response(req_id)
    second = await client.response(req_id)
    assert first["payload"]["status"] == "accepted"
    assert second["payload"]["status"] == "ok"
    assert second["payload"]["runId"] == first["payload"]["runId"] == "e2e-4"
    assert second["payload"]["result"]["payloads"] == [{"text": "Agent says hi"}]


async def test_reset_and_delete_empty_a_session(client: Client, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(text="noted")
    key = "agent:main:webchat:dm:tester"
    await client.ok("chat.send", {"sessionKey": key, "message": "remember", "idempotencyKey": "e5"})
    await until_done(client, "e5")
    assert len((await client.ok("chat.history", {"sessionKey": key}))["messages"]) == 2
    await client.ok("sessions.reset", {"key": key})
    assert (await client.ok("chat.history", {"sessionKey": key}))["messages"] == []
    await client.ok("sessions.delete", {"key": key})
    keys = [s["key"] for s in (await client.ok("sessions.list"))["sessions"]]
    assert key not in keys


async def test_a_chat_whose_model_writes_then_reads_a_file_shows_the_calls(
    client: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        text="",
        tool_calls=[{"id": "w1", "name": "write", "input": {"path": "e2e.txt", "content": "x1"}}],
    )
    fake_openai.script(
        text="", tool_calls=[{"id": "r1", "name": "read", "input": {"path": "e2e.txt"}}]
    )
    fake_openai.script(text="It says x1.")
    await client.ok(
        "chat.send",
        {"sessionKey": "agent:ops:tools", "message": "Store x1", "idempotencyKey": "e2e-tools"},
    )
    final = (await until_done(client, "e2e-tools"))[-1]
    assert final["state"] == "final" and final["message"]["content"][0]["text"] == "It says x1."
    started = await client.event("agent", runId="e2e-tools")
    assert started["payload"]["stream"] == "tool" and started["payload"]["data"]["name"] == "write"
    history = (await client.ok("chat.history", {"sessionKey": "agent:ops:tools"}))["messages"]
    assert [m["role"] for m in history] == [
        "user",
        "assistant",
        "toolResult",
        "assistant",
        "toolResult",
        "assistant",
    ]
    assert history[1]["content"][0]["name"] == "write"
    assert history[4]["content"][0]["text"] == "x1"
    assert history[5]["content"][0]["text"] == "It says x1."

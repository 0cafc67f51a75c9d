"""Chat runs over the protocol, in process, with a scripted agent turn in place of a model."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from gateway.auth import GATEWAY_SECRETS
from gateway.protocol import handshake, runs
from tests.gateway.protocol.inproc import Conn

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Result:
    text: str
    ok: bool = True
    usage: dict[str, int] = field(default_factory=lambda: {"inputTokens": 5, "outputTokens": 7})


class ScriptedTurn:
    """Streams `words` one per `step` seconds; honours abort like the real service."""

    def __init__(
        self,
        words: list[str],
        step: float = 0.01,
        result: Result | None = None,
        tools: list[Any] | None = None,
    ) -> None:
        self.words, self.step, self.result = words, step, result
        self.tools = tools or []  # agents.toolloop.ToolEvent values to report first
        self.calls: list[tuple[str, str, str]] = []

    async def __call__(
        self,
        agent_id: str,
        session_key: str,
        text: str,
        *,
        on_delta: Callable[[str], None],
        abort: asyncio.Event | None,
        channel: str = "webchat",
        wait_for_record: bool = False,
        on_tool: Callable[[Any], None] | None = None,
    ) -> Result:
        self.calls.append((agent_id, session_key, text))
        for event in self.tools:
            assert on_tool is not None
            on_tool(event)
        so_far = ""
        for word in self.words:
            if abort is not None and abort.is_set():
                return Result(so_far)
            so_far += word
            on_delta(so_far)
            await asyncio.sleep(self.step)
        return self.result or Result(so_far)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GATEWAY_SECRETS, "token", "test-token-abc-123456")
    handshake.reset_failures()


@pytest.fixture
def turn(monkeypatch: pytest.MonkeyPatch) -> Callable[..., ScriptedTurn]:
    def install(words: list[str], **kw: Any) -> ScriptedTurn:
        scripted = ScriptedTurn(words, **kw)
        monkeypatch.setattr(runs, "_turn_function", lambda: scripted)
        return scripted

    return install


@pytest.fixture
async def conn() -> AsyncIterator[Conn]:
    c, res = await Conn.open()
    assert res["ok"], res
    yield c
    await c.close()


async def chat_until_done(conn: Conn) -> list[dict[str, Any]]:
    states = []
    while True:
        event = await conn.next_event("chat")
        states.append(event)
        if event["payload"]["state"] != "delta":
            return states


async def test_a_reply_streams_as_whole_text_deltas_then_final(conn: Conn, turn: Any) -> None:
    scripted = turn([f"w{i} " for i in range(40)], step=0.01)
    res = await conn.call(
        "chat.send", {"sessionKey": "main", "message": "hi", "idempotencyKey": "k1"}
    )
    assert res["payload"] == {"runId": "k1", "status": "started"}
    started = time.monotonic()
    events = await chat_until_done(conn)
    elapsed = time.monotonic() - started
    deltas = [e for e in events if e["payload"]["state"] == "delta"]
    final = events[-1]["payload"]
    assert final["state"] == "final"
    assert final["message"]["content"][0]["text"] == "".join(f"w{i} " for i in range(40))
    assert final["usage"] == {"inputTokens": 5, "outputTokens": 7}
    assert final["sessionKey"] == "agent:main:main"
    texts = [d["payload"]["message"]["content"][0]["text"] for d in deltas]
    assert texts and all(final["message"]["content"][0]["text"].startswith(t) for t in texts)
    assert all(len(b) > len(a) for a, b in itertools.pairwise(texts))
    assert len(deltas) <= elapsed / 0.15 + 1  # at most one delta per 150 ms
    assert scripted.calls == [("main", "agent:main:main", "hi")]


async def test_abort_stops_the_run_and_keeps_the_text_so_far(conn: Conn, turn: Any) -> None:
    turn([f"w{i} " for i in range(500)], step=0.01)
    await conn.call("chat.send", {"sessionKey": "main", "message": "long", "idempotencyKey": "k2"})
    await conn.next_event("chat")
    res = await conn.call("chat.abort", {"sessionKey": "main"})
    assert res["payload"]["aborted"] is True
    events = await chat_until_done(conn)
    last = events[-1]["payload"]
    assert last["state"] == "aborted"
    kept = last["message"]["content"][0]["text"]
    assert kept.startswith("w0 ")
    assert len(kept) < len("".join(f"w{i} " for i in range(500)))


async def test_a_failed_turn_ends_with_an_error_and_its_message(conn: Conn, turn: Any) -> None:
    turn([], result=Result("All models failed: openai/gpt-4o (rate_limit)", ok=False))
    await conn.call("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "k3"})
    last = (await chat_until_done(conn))[-1]["payload"]
    assert last["state"] == "error"
    assert last["errorMessage"] == "All models failed: openai/gpt-4o (rate_limit)"


async def test_an_empty_reply_is_an_error_never_a_silent_final(conn: Conn, turn: Any) -> None:
    turn([], result=Result(""))
    await conn.call("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "k4"})
    last = (await chat_until_done(conn))[-1]["payload"]
    assert last["state"] == "error"
    assert last["errorMessage"] == "the model returned an empty reply"


async def test_the_same_idempotency_key_starts_one_run(conn: Conn, turn: Any) -> None:
    scripted = turn(["a", "b"], step=0.05)
    first = await conn.call(
        "chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "same"}
    )
    again = await conn.call(
        "chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "same"}
    )
    assert first["payload"]["runId"] == again["payload"]["runId"] == "same"
    await chat_until_done(conn)
    assert len(scripted.calls) == 1


async def test_agent_answers_twice_on_one_request_id(conn: Conn, turn: Any) -> None:
    turn(["Hello", " there"], step=0.01)
    await conn.comm.send_json_to(
        {
            "type": "req",
            "id": "ag1",
            "method": "agent",
            "params": {"message": "hi", "agentId": "main", "idempotencyKey": "ak1"},
        }
    )
    answers: list[dict[str, Any]] = []
    while len(answers) < 2:
        frame = await conn.recv()
        if frame["type"] == "res":
            answers.append(frame)
    assert [a["id"] for a in answers] == ["ag1", "ag1"]
    assert answers[0]["payload"]["status"] == "accepted"
    assert answers[1]["payload"]["runId"] == answers[0]["payload"]["runId"]
    assert answers[1]["payload"]["status"] == "ok"
    assert answers[1]["payload"]["result"] == {"payloads": [{"text": "Hello there"}]}


async def test_agent_for_an_unknown_agent_is_refused(conn: Conn, turn: Any) -> None:
    turn(["x"])
    res = await conn.call("agent", {"message": "hi", "agentId": "nobody", "idempotencyKey": "z"})
    assert res["error"]["message"] == "unknown agent: nobody"


async def test_chat_events_reach_every_connected_client(conn: Conn, turn: Any) -> None:
    turn(["one", " two"], step=0.01)
    other, _ = await Conn.open()
    await conn.call("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "k9"})
    seen = (await chat_until_done(other))[-1]["payload"]
    await chat_until_done(conn)
    await other.close()
    assert seen["state"] == "final"
    assert seen["runId"] == "k9"


async def test_tool_calls_show_as_agent_events_before_the_reply(conn: Conn, turn: Any) -> None:
    from agents.toolloop import ToolEvent

    turn(
        ["Done."],
        tools=[
            ToolEvent("start", "t1", "read", '{"path": "a.txt"}'),
            ToolEvent(
                "result", "t1", "read", '{"path": "a.txt"}', 3, False, "a.txt does not exist"
            ),
        ],
    )
    await conn.call("chat.send", {"sessionKey": "main", "message": "x", "idempotencyKey": "tools1"})
    start = (await conn.next_event("agent"))["payload"]
    result = (await conn.next_event("agent"))["payload"]
    assert start["runId"] == "tools1" and start["sessionKey"] == "agent:main:main"
    assert start["stream"] == "tool"
    assert start["data"] == {
        "phase": "start",
        "toolCallId": "t1",
        "name": "read",
        "args": '{"path": "a.txt"}',
    }
    assert (start["seq"], result["seq"]) == (1, 2)
    assert result["data"]["phase"] == "result"
    assert result["data"]["durationMs"] == 3 and result["data"]["ok"] is False
    assert result["data"]["error"] == "a.txt does not exist"
    assert (await chat_until_done(conn))[-1]["payload"]["state"] == "final"

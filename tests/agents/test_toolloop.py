"""The tool loop end to end: the real SDKs talk to the fake model servers, which script
tool calls; the file tools act on a temporary workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from agents import store
from agents.service import drain, reply_to, run_turn
from agents.toolloop import ToolEvent
from tests.agents.helpers import dm, install, providers
from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.openai.server import FakeOpenAI

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "agent:main:main"


def configure(
    workspace: Path,
    *,
    anthropic: str = "",
    openai: str = "",
    primary: str = "anthropic/claude-sonnet-4-6",
    tools: dict[str, Any] | None = None,
    **agent: Any,
) -> None:
    install(
        {
            "agents": {
                "defaults": {"model": {"primary": primary}, "maxToolIterations": 3},
                "list": [{"id": "main", "workspace": str(workspace), **agent}],
            },
            "models": providers(anthropic, openai),
            "tools": tools or {},
        }
    )


def offered(seen: Any) -> list[str]:
    tools = seen.body.get("tools") or []
    return sorted(t.get("name") or t["function"]["name"] for t in tools)


async def shown_history(key: str = KEY) -> list[dict[str, Any]]:
    await drain()
    return await sync_to_async(store.history)(key)


async def test_anthropic_model_writes_then_reads_a_file_then_answers(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url)
    fake_anthropic.script(
        text="Saving it.",
        tool_calls=[{"id": "t1", "name": "write", "input": {"path": "n.txt", "content": "42"}}],
        usage=(10, 5),
    )
    fake_anthropic.script(
        text="",
        tool_calls=[{"id": "t2", "name": "read", "input": {"path": "n.txt"}}],
        usage=(20, 3),
    )
    fake_anthropic.script(text="The file says 42.", usage=(30, 4))
    events: list[ToolEvent] = []
    result = await run_turn("main", KEY, "note 42 down", on_tool=events.append)

    assert result.ok and result.text == "Saving it.\n\nThe file says 42."
    assert (tmp_path / "n.txt").read_text() == "42"
    assert result.usage == {"inputTokens": 60, "outputTokens": 12}
    assert [(e.phase, e.name, e.ok) for e in events] == [
        ("start", "write", True),
        ("result", "write", True),
        ("start", "read", True),
        ("result", "read", True),
    ]
    assert {"read", "write", "edit", "list"} <= set(offered(fake_anthropic.requests[0]))
    third = fake_anthropic.requests[2].body["messages"]
    assert third[1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Saving it."},
            {
                "type": "tool_use",
                "id": "t1",
                "name": "write",
                "input": {"path": "n.txt", "content": "42"},
            },
        ],
    }
    assert third[4]["content"] == [
        {"type": "tool_result", "tool_use_id": "t2", "content": "42", "is_error": False}
    ]

    shown = await shown_history()
    assert [m["role"] for m in shown] == [
        "user",
        "assistant",
        "toolResult",
        "assistant",
        "toolResult",
        "assistant",
    ]
    assert shown[1]["content"][1] == {
        "type": "toolCall",
        "id": "t1",
        "name": "write",
        "arguments": {"path": "n.txt", "content": "42"},
    }
    assert shown[4]["toolName"] == "read" and shown[4]["content"][0]["text"] == "42"
    assert shown[5]["content"] == [{"type": "text", "text": "The file says 42."}]
    assert shown[5]["usage"] == {"inputTokens": 60, "outputTokens": 12}


async def test_the_next_turn_sends_the_tool_rounds_back_to_the_model(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url)
    fake_anthropic.script(text="", tool_calls=[{"id": "t1", "name": "list", "input": {}}])
    fake_anthropic.script(text="Empty.")
    await run_turn("main", KEY, "what is there?")
    from agents import memory

    memory.forget()  # read from the database, as after a restart
    await run_turn("main", KEY, "and now?")
    sent = fake_anthropic.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user", "assistant", "user"]
    assert sent[1]["content"] == [{"type": "tool_use", "id": "t1", "name": "list", "input": {}}]
    assert sent[2]["content"][0]["tool_use_id"] == "t1"
    assert sent[3] == {"role": "assistant", "content": "Empty."}


async def test_openai_model_runs_several_tool_calls_in_one_round(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    configure(tmp_path, openai=fake_openai.url, primary="openai/gpt-4o")
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "b.txt").write_text("B")
    fake_openai.script(
        text="",
        tool_calls=[
            {"id": "c1", "name": "read", "input": {"path": "a.txt"}},
            {"id": "c2", "name": "read", "input": {"path": "b.txt"}},
        ],
        usage=(8, 2),
    )
    fake_openai.script(text="A and B.", usage=(9, 3))
    result = await run_turn("main", KEY, "read both")
    assert result.text == "A and B." and result.usage == {"inputTokens": 17, "outputTokens": 5}
    sent = fake_openai.requests[1].body["messages"]
    assert sent[-3]["role"] == "assistant"
    assert [c["id"] for c in sent[-3]["tool_calls"]] == ["c1", "c2"]
    assert sent[-2:] == [
        {"role": "tool", "tool_call_id": "c1", "content": "A"},
        {"role": "tool", "tool_call_id": "c2", "content": "B"},
    ]
    assert fake_openai.requests[0].body["tools"][0]["type"] == "function"
    await run_turn("main", KEY, "again")
    again = fake_openai.requests[2].body["messages"]
    assert [m["role"] for m in again] == [
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
        "user",
    ]


async def test_a_loop_that_never_ends_is_stopped_and_asked_for_an_answer(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url)
    fake_anthropic.default.text = ""
    fake_anthropic.default.tool_calls = [{"name": "list", "input": {}}]
    result = await run_turn("main", KEY, "loop forever")
    assert len(fake_anthropic.requests) == 4  # 3 rounds (maxToolIterations), then the last
    last = fake_anthropic.requests[-1].body
    assert last["tool_choice"] == {"type": "none"}
    assert "maximum of 3 tool rounds" in last["messages"][-1]["content"][-1]["text"]
    assert result.ok and result.text == "[stopped after 3 tool rounds without an answer]"


async def test_a_call_to_a_denied_tool_returns_an_error_and_the_turn_goes_on(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url, tools={"deny": ["write"]})
    fake_anthropic.script(
        text="", tool_calls=[{"id": "t1", "name": "write", "input": {"path": "x", "content": ""}}]
    )
    fake_anthropic.script(text="I may not write.")
    result = await run_turn("main", KEY, "write x")
    assert result.text == "I may not write."
    assert "write" not in offered(fake_anthropic.requests[0])
    back = fake_anthropic.requests[1].body["messages"][-1]["content"][0]
    assert back["is_error"] is True and "'write' is not available" in back["content"]
    assert not (tmp_path / "x").exists()


async def test_malformed_arguments_and_failing_tools_become_error_results(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url)
    fake_anthropic.script(
        text="",
        tool_calls=[
            {"id": "t1", "name": "read", "arguments": '{"path": "a.txt"'},
            {"id": "t2", "name": "read", "input": {"path": "missing.txt"}},
        ],
    )
    fake_anthropic.script(text="Both failed.")
    result = await run_turn("main", KEY, "read")
    assert result.ok and result.text == "Both failed."
    first, second = fake_anthropic.requests[1].body["messages"][-1]["content"]
    assert first["is_error"] and "not valid JSON" in first["content"]
    assert second["is_error"] and second["content"] == "missing.txt does not exist"


async def test_a_tool_that_crashes_does_not_end_the_turn(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agents.tools import files

    async def boom(self: Any, args: Any, ctx: Any) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(files.ListTool, "run", boom)
    configure(tmp_path, openai=fake_openai.url, primary="openai/gpt-4o")
    fake_openai.script(text="", tool_calls=[{"id": "c1", "name": "list", "input": {}}])
    fake_openai.script(text="Sorry.")
    result = await run_turn("main", KEY, "list")
    assert result.ok and result.text == "Sorry."
    tool_msg = fake_openai.requests[1].body["messages"][-1]
    assert tool_msg["content"] == "Error: list failed: RuntimeError: disk on fire"


async def test_a_channel_stranger_is_not_offered_file_tools_but_an_owner_is(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url, owners=["discord:1"])
    await reply_to(dm("2", text="hi"))
    await reply_to(dm("1", text="hi"))
    assert offered(fake_anthropic.requests[0]) == [
        "message",
        "session_status",
        "sessions_history",
        "sessions_list",
        "sessions_send",
    ]
    assert {"read", "write"} <= set(offered(fake_anthropic.requests[1]))
    stranger = fake_anthropic.requests[0].body["system"][-1]["text"]
    assert "not one of your owners" in stranger


async def test_a_strangers_call_to_write_is_refused(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    configure(tmp_path, anthropic=fake_anthropic.url)
    fake_anthropic.script(
        text="", tool_calls=[{"id": "t1", "name": "write", "input": {"path": "x", "content": "x"}}]
    )
    fake_anthropic.script(text="No.")
    reply = await reply_to(dm("2", text="write x"))
    assert reply.text == "No." and not (tmp_path / "x").exists()


async def test_fallback_happens_before_anything_streamed_but_not_after_a_tool_round(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    install(
        {
            "agents": {
                "defaults": {"model": {"primary": "anthropic/one", "fallbacks": ["anthropic/two"]}},
                "list": [{"id": "main", "workspace": str(tmp_path)}],
            },
            "models": providers(fake_anthropic.url),
        }
    )
    fake_anthropic.script(model="one", status=529)
    fake_anthropic.script(model="two", text="", tool_calls=[{"name": "list", "input": {}}])
    fake_anthropic.script(model="two", status=529)
    result = await run_turn("main", KEY, "go")
    assert fake_anthropic.models_requested() == ["one", "two", "two"]
    assert not result.ok


async def test_a_model_that_does_not_take_tools_answers_without_them(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    configure(tmp_path, openai=fake_openai.url, primary="openai/llama3")
    fake_openai.script(status=400, error_message="llama3 does not support tools")
    fake_openai.script(text="Plain answer.")
    result = await run_turn("main", KEY, "hi")
    assert result.ok and result.text == "Plain answer."
    first, second = fake_openai.requests
    assert "tools" in first.body and "tools" not in second.body
    await run_turn("main", KEY, "again")  # no second refusal: it is remembered
    assert "tools" not in fake_openai.requests[2].body

"""Tool calls through both providers and the fakes: streamed (the providers' path) and not
streamed (the fakes answer the real SDKs both ways)."""

from __future__ import annotations

from typing import Any

from agents.providers import ModelOutput, ToolCall, ToolSpec
from tests.agents.test_providers import anthropic_call, collect, openai_call
from tests.fakes.anthropic.server import FakeAnthropic
from tests.fakes.openai.server import FakeOpenAI

SPEC = ToolSpec("read", "Read a file.", {"type": "object", "properties": {}})
CALLS: list[dict[str, Any]] = [
    {"id": "a", "name": "read", "input": {"path": "x"}},
    {"id": "b", "name": "read", "arguments": '{"path": '},
]


async def test_anthropic_streams_several_tool_calls_and_flags_malformed_arguments(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(text="Looking.", tool_calls=CALLS)
    call = anthropic_call(fake_anthropic)
    call.tools = [SPEC]
    pieces, out = await collect(call)
    assert isinstance(out, ModelOutput)
    assert pieces == ["Looking."] and out.stop_reason == "tool_use"
    assert out.tool_calls[0] == ToolCall("a", "read", {"path": "x"})
    assert out.tool_calls[1].id == "b" and "not valid JSON" in out.tool_calls[1].error
    sent = fake_anthropic.requests[0].body
    assert sent["tools"] == [
        {
            "name": "read",
            "description": "Read a file.",
            "input_schema": {"type": "object", "properties": {}},
        }
    ]


async def test_openai_streams_several_tool_calls_and_flags_malformed_arguments(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(text="", tool_calls=CALLS)
    call = openai_call(fake_openai)
    call.tools = [SPEC]
    _pieces, out = await collect(call)
    assert isinstance(out, ModelOutput)
    assert out.stop_reason == "tool_calls"
    assert out.tool_calls[0] == ToolCall("a", "read", {"path": "x"})
    assert "not valid JSON" in out.tool_calls[1].error
    assert fake_openai.requests[0].body["tools"][0]["function"]["name"] == "read"


async def test_the_anthropic_fake_answers_tool_calls_without_streaming_too(
    fake_anthropic: FakeAnthropic,
) -> None:
    import anthropic

    fake_anthropic.script(text="", tool_calls=CALLS[:1])
    client = anthropic.AsyncAnthropic(api_key="k", base_url=fake_anthropic.url, max_retries=0)
    message = await client.messages.create(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    await client.close()
    block = message.content[-1]
    assert message.stop_reason == "tool_use"
    assert (block.type, getattr(block, "name", ""), getattr(block, "input", {})) == (
        "tool_use",
        "read",
        {"path": "x"},
    )


async def test_the_openai_fake_answers_tool_calls_without_streaming_too(
    fake_openai: FakeOpenAI,
) -> None:
    import openai

    fake_openai.script(text="", tool_calls=CALLS[:1])
    client = openai.AsyncOpenAI(api_key="k", base_url=fake_openai.url + "/v1", max_retries=0)
    reply = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    await client.close()
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    [tool_call] = choice.message.tool_calls or []
    assert tool_call.id == "a" and tool_call.type == "function"
    assert tool_call.function.arguments == '{"path": "x"}'
